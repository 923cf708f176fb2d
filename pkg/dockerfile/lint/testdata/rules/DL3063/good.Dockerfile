FROM debian AS build
