FROM debian
LABEL m=not-email
