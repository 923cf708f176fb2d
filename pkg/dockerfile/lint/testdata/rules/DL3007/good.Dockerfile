FROM debian:latest@sha256:abc
