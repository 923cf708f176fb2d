FROM fedora
RUN dnf install -y httpd-2.4.24
