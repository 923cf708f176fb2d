FROM debian
LABEL m=team@example.com
