FROM opensuse/leap
RUN zypper install -y httpd && zypper clean
