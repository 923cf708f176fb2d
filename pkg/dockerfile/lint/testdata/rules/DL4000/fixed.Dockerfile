FROM debian
LABEL maintainer="me"
