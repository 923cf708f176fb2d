FROM debian
ENV A=1 B=$AB
