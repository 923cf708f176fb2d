FROM golang
RUN go install -tags netgo example.com/cmd/x@v1.2.3 && go run ./cmd/y && go run example.com/z@v1.0.0 arg
