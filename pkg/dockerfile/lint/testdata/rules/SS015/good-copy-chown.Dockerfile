FROM node:20-alpine
WORKDIR /app
COPY --chown=node:node . /app
RUN mkdir -p /data && chown -R node:node /data
USER node
CMD ["node", "server.js"]
