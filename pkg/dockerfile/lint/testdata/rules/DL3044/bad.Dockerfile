FROM debian
ENV A=1 B=${A}/x
