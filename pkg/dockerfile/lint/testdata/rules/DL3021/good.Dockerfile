FROM a:1
COPY a b c/
