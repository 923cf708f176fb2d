FROM a:1
RUN apt-get install -y python=3.11
