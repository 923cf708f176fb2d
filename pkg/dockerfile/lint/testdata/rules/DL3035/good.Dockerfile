FROM opensuse/leap
RUN zypper install -y x=1
