FROM debian
RUN useradd -u 123456 app
