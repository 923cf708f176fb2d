FROM random.com/debian:12
