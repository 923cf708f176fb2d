FROM a:1
CMD node app.js
