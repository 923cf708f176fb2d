FROM a:1
ADD app /app/
