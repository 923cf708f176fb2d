FROM a:1
RUN apt-get update && sudo apt-get install x
