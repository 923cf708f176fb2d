FROM a:1
RUN apk add --no-cache curl=8.5.0-r0 'git>=2.40'
