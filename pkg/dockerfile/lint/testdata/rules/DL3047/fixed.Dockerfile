FROM debian
RUN wget --progress=dot:giga https://x/y.tgz
