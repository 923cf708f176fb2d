FROM debian
LABEL org.opencontainers.image.title=x valid-1=y
