LABEL a=b
FROM debian
