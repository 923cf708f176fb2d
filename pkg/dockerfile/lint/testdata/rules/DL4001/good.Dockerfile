FROM debian
RUN wget x
FROM debian
RUN curl y
