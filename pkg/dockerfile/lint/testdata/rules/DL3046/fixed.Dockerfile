FROM debian
RUN useradd -l -u 123456 app
