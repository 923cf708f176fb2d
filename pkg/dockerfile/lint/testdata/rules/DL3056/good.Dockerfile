FROM debian
LABEL v=2.0.1-rc1+build.5
