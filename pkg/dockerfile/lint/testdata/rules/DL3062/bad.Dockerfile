FROM golang
RUN go install example.com/cmd/x
