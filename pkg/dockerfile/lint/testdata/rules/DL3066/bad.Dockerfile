FROM debian
USER app
