FROM alpine
CMD ["a"]
CMD ["b"]
FROM alpine
CMD ["c"]
