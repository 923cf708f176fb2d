FROM python:3.12-slim
WORKDIR /srv
COPY scripts/ ./scripts/
RUN useradd app && chmod -R 755 /srv/scripts
USER app
CMD ["/srv/scripts/run.sh"]
