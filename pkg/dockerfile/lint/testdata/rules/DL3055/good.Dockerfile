FROM debian
LABEL h=abc1234
