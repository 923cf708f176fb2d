FROM python:3.11-slim
WORKDIR /app
COPY . .
RUN pip install -r requirements.txt
RUN apk add curl
ADD app.py /app/
USER app
CMD ["python", "app.py"]
