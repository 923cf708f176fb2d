FROM alpine
LABEL maintainer=me
