FROM debian
LABEL maintainer=x
