FROM alpine
RUN a
run b
COPY . .
