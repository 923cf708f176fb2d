FROM debian
LABEL a=1 b=2
