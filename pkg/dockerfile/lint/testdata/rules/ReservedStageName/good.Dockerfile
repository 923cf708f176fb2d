FROM alpine AS ok
