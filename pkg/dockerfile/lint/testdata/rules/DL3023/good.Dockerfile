FROM a:1 AS build
FROM b:1 AS app
COPY --from=build /x /x
