FROM node
RUN yarn install
