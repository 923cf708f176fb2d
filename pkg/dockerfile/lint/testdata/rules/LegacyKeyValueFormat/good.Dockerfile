FROM alpine
ENV B=2
LABEL x=y
