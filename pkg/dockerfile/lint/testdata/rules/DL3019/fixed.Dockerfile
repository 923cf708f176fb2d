FROM a:1
RUN apk --no-cache add curl=1
