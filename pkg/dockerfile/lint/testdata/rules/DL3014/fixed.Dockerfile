FROM a:1
RUN apt-get -y install x
