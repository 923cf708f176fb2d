FROM debian
COPY a b
