FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build CGO_ENABLED=0 go build -o /app .

FROM node:20-alpine
RUN --mount=type=cache,target=/root/.npm npm install -g serve
COPY --from=build /app /app
CMD ["/app"]
