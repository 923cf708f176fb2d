FROM alpine as build
from alpine AS b
FROM alpine AS c
