FROM debian
COPY a /b
COPY a $X
COPY a c:\\x
