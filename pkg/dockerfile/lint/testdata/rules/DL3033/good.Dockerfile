FROM a:1
RUN yum install -y gcc-c++-11.4.1
