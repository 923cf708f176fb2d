FROM scratch
ARG A
ENV B=$A C=$D
COPY $B /x
