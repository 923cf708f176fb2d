ARG V=1
FROM debian:$V
LABEL a=b
