FROM alpine AS build
from alpine as b
