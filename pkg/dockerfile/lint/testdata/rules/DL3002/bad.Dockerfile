FROM a:1
USER root
