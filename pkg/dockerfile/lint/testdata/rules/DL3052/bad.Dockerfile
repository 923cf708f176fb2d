FROM debian
LABEL u=not-a-url
