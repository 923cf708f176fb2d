FROM a:1
RUN npm install express
