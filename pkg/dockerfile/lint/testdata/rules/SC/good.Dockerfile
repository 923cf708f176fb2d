FROM debian:12
ARG DIR
RUN ls "$DIR"
