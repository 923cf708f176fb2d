FROM debian
CMD a
FROM debian
CMD b
