ARG BASE
ARG TAG=3
ARG V
FROM $BASE
FROM alpine:$TAG
FROM Alpine$TAG
FROM golang:${V}-alpine
FROM reg.example.com:5000/a/b:$TAG
