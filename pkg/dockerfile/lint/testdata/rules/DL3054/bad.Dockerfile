FROM debian
LABEL l=not-spdx
