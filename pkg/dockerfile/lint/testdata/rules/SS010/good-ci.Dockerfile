FROM node:20-alpine
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm install -g pm2
COPY . .
RUN yarn install --frozen-lockfile
CMD ["node", "server.js"]
