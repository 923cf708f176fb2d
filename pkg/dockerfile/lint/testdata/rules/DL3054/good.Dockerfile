FROM debian
LABEL l=Apache-2.0
