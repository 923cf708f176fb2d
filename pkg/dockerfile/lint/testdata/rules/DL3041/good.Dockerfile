FROM fedora
RUN dnf install -y tomcat-9.0.1 openssl-1:1.1.1k ./x-1.0.rpm && dnf module install -y nodejs:18
