FROM debian
RUN ln -sf /bin/bash /bin/sh
