FROM a:1
COPY --from=build /x /x
