FROM a:1
RUN gem install bundler:2.5.0
