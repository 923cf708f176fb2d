FROM fedora
RUN dnf install -y tomcat && dnf clean all
