FROM fedora
RUN dnf -y upgrade && dnf clean all
