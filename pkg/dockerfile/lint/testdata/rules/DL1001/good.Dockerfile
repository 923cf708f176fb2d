# hadolint global ignore=DL3003
RUN cd /x
