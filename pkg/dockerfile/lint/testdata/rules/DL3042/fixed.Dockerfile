FROM python
RUN pip install --no-cache-dir requests==2.0
