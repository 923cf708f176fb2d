FROM debian
LABEL u=https://example.com/x
