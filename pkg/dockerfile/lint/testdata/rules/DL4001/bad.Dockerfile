FROM debian
RUN wget x
RUN curl y
