FROM alpine:3.20
ARG NPM_TOKEN
ARG TOKEN_URL=https://auth.example.com/token
ENV PASSWORD_FILE=/run/secrets/db_password \
    SECRET_KEY_PATH=/etc/app/key \
    DB_PASSWORD=${DB_PASSWORD} \
    GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D \
    DISABLE_TOKEN=true \
    PWD=/app
