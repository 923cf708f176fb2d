FROM alpine
CMD echo hi
ENTRYPOINT ["x"]
