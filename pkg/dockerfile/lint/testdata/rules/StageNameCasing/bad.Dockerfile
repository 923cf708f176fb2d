FROM alpine AS Build
FROM alpine AS build2
