FROM a:1
RUN apt-get --no-install-recommends install -y x
