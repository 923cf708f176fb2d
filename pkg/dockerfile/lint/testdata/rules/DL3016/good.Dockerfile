FROM a:1
RUN npm install express@4.1.1 @org/pkg@1.0.0
