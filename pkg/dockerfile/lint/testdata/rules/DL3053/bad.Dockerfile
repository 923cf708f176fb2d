FROM debian
LABEL d=yesterday
