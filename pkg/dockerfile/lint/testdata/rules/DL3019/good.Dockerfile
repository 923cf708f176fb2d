FROM a:1
RUN apk add --no-cache curl=1
