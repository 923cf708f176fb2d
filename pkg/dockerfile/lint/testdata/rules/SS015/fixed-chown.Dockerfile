FROM node:20-alpine
WORKDIR /app
COPY --chown=node:node . /app
USER node
CMD ["node", "server.js"]
