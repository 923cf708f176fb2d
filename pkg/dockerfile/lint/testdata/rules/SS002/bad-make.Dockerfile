FROM debian:bookworm-slim
COPY . /src
RUN apt-get update && apt-get install -y --no-install-recommends gcc make \
    && make -C /src && rm -rf /var/lib/apt/lists/*
CMD ["/src/app"]
