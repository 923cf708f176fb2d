FROM debian
RUN wget https://x/y.tgz
