FROM a:1 AS app
COPY --from=app /x /x
