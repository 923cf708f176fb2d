FROM node:20-alpine
WORKDIR /app
COPY . /app
RUN chown -R node:node /app
USER node
CMD ["node", "server.js"]
