FROM debian
LABEL v=v1.0
