FROM debian
LABEL h=xyz
