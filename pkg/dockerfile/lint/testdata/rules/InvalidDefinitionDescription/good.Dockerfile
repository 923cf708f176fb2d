# VERSION the version
ARG VERSION=1
# base the base stage
FROM alpine AS base
