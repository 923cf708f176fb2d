FROM a:1
RUN cd /opt && make
