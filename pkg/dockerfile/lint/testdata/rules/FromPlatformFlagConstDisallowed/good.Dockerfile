FROM --platform=$BUILDPLATFORM alpine
FROM --platform=linux/arm64 alpine AS build-arm64
