FROM a:1
RUN pip install flask==3.0.0
