FROM node
RUN yarn install && yarn cache clean
