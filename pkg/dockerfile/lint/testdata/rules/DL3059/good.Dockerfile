FROM debian
RUN a && b
RUN c
