FROM debian
LABEL a=""
