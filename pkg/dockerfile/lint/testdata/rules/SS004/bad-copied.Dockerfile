FROM debian:bookworm-slim
COPY dist/app.tar.gz /tmp/
RUN tar -xzf /tmp/app.tar.gz -C /opt && rm /tmp/app.tar.gz
CMD ["/opt/app"]
