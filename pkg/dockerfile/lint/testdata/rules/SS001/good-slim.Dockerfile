FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /app .

FROM node:20-alpine
COPY --from=build /app /app
CMD ["/app"]
