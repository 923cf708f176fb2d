FROM a:1
RUN yum -y install httpd-2.4 && yum clean all
