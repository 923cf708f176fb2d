FROM a:1 AS build
FROM b:1
COPY --from=build /x /x
