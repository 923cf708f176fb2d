FROM python:3.12-slim AS base
RUN useradd --uid 10001 app
USER app

FROM base
WORKDIR /app
COPY --chown=app . .
CMD ["python", "app.py"]
