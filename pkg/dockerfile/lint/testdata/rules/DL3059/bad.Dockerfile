FROM debian
RUN a
RUN b
