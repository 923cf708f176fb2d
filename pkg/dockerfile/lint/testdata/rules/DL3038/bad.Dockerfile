FROM fedora
RUN dnf install httpd-2.4.24 && dnf clean all
