FROM opensuse/leap
RUN zypper dist-upgrade
