# the version
ARG VERSION=1
# the base stage
FROM alpine AS base
# VERSION is fine
ARG VERSION
