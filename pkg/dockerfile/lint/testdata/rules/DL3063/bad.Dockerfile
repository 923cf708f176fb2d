FROM debian AS scratch
