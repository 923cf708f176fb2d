FROM debian
COPY --from=build / /
