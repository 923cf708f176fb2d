FROM a:1
RUN yum install -y tomcat && yum clean all
