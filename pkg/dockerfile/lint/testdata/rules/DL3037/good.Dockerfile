FROM opensuse/leap
RUN zypper in -y 'httpd>=2.4' ./local.rpm
