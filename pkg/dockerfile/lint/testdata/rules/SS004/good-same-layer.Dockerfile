FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates \
    && curl -fsSL -o /tmp/tool.tar.gz https://example.com/tool.tar.gz \
    && tar -xzf /tmp/tool.tar.gz -C /opt \
    && rm -rf /tmp/tool.tar.gz /var/lib/apt/lists/*
RUN rm -rf /var/lib/apt/lists/*
CMD ["/opt/tool"]
