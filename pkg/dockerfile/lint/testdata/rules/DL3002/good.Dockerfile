FROM a:1
USER root
RUN x
USER app
