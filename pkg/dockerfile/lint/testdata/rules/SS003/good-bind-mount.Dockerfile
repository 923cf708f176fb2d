FROM python:3.12-slim
WORKDIR /app
RUN --mount=type=bind,source=requirements.txt,target=requirements.txt \
    pip install --no-cache-dir -r requirements.txt
COPY . .
CMD ["python", "app.py"]
