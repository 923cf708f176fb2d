FROM docker.io/library/debian:12
