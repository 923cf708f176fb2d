FROM debian
LABEL a=x b=""
