FROM alpine AS build2
