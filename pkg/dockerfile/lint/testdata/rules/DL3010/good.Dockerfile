FROM a:1
COPY app.tar.gz /src/
