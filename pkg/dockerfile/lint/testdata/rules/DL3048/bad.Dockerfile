FROM debian
LABEL com.docker.x=1
