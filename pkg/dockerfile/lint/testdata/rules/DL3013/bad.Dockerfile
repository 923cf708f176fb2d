FROM a:1
RUN pip install flask
