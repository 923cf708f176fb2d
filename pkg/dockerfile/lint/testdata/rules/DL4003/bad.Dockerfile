FROM debian
CMD a
CMD b
