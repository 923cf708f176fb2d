# A base image for others: it picks the full variant on purpose.
FROM buildpack-deps:bookworm
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*
CMD ["bash"]
