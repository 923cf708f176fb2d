FROM python
RUN pip install requests==2.0
