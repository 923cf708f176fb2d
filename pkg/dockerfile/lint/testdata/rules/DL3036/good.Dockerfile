FROM opensuse/leap
RUN zypper install -y httpd=2.4.24 && zypper cc
