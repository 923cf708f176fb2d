FROM fedora
RUN microdnf --assumeyes install httpd-2.4.24
