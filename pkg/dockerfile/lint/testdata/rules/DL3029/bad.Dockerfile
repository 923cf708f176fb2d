FROM --platform=linux/amd64 a:1
