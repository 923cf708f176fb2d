FROM debian
RUN wget -q https://x/y.tgz && wget -nv https://x/z && wget --progress=dot:giga https://x
