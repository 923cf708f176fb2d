FROM alpine AS a
SHELL ["/bin/bash", "-c"]
FROM a
CMD echo hi
