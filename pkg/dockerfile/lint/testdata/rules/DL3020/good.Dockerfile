FROM a:1
ADD app.tar.gz /app/
