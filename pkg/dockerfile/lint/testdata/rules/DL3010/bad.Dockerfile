FROM a:1
COPY app.tar.gz /src/
RUN tar -xzf /src/app.tar.gz
