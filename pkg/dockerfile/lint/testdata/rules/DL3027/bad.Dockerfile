FROM a:1
RUN apt install -y x
