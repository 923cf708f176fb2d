FROM a:1
RUN top
