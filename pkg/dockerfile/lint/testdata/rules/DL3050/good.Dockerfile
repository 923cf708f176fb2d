FROM debian
LABEL a=1
