FROM alpine
RUN a
COPY . .
