FROM debian
COPY --from=build /app /
