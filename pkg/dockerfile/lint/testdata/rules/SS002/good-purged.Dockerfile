FROM debian:bookworm-slim
COPY . /src
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends gcc make; \
    make -C /src install; \
    apt-get purge -y --auto-remove gcc make; \
    rm -rf /var/lib/apt/lists/* /src
CMD ["app"]
