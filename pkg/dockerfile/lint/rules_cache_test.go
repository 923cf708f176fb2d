package lint

import "testing"

// cacheCases are bad (want > 0) and good (want 0) Dockerfiles for the rules of
// rules_cache.go; a name starts with its rule's ID.
var cacheCases = table([]tableCase{
	{"SS003", "FROM node:20\nCOPY . .\nRUN yarn --version\n", 0, nil},

	{"SS004", "FROM alpine:3.20\nCOPY requirements.txt /tmp/\nRUN rm /tmp/requirements.txt\n", 0, nil},
	{"SS004", "FROM nginx:alpine\nCOPY conf/ /etc/nginx/conf.d/\nRUN rm /etc/nginx/conf.d/default.vhost\n", 0, nil},
	{"SS004", "FROM alpine:3.20\nWORKDIR /app\nCOPY . .\nRUN rm -rf /app/testdata\n", 1, nil},
	{"SS004", "FROM alpine:3.20\nWORKDIR /tmp\nRUN wget -qO- https://example.com/x.tar.gz | tar xz\nRUN rm -f x.tar.gz\n", 0, nil},
	{"SS004", "FROM alpine:3.20\nRUN git clone https://example.com/repo.git /src\nRUN make -C /src\nRUN rm -rf /src\n", 1, nil},

	{"SS005", "FROM ruby:3.3-slim\nCOPY Gemfile* ./\nRUN bundle install && rm -rf /usr/local/bundle/cache\nCMD [\"ruby\", \"app.rb\"]\n", 0, nil},
	{"SS005", "FROM ruby:3.3-slim\nCOPY Gemfile* ./\nRUN bundle install\nCMD [\"ruby\", \"app.rb\"]\n", 1, nil},
	{"SS005", "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\nCMD [\"curl\"]\n", 0, nil},
	{"SS005", "FROM debian:bookworm-slim\nRUN rm -f /etc/apt/apt.conf.d/docker-clean\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\nCMD [\"curl\"]\n", 1, nil},
	{"SS005", "FROM debian:bookworm-slim\nRUN rm -f /etc/apt/apt.conf.d/docker-clean\nRUN --mount=type=cache,target=/var/cache/apt apt-get update && apt-get install -y curl\nCMD [\"curl\"]\n", 0, nil},

	{"SS014", "FROM alpine:3.20\nRUN apk update\nRUN apk update && apk add curl\n", 0, nil},
})

func TestCacheRules(t *testing.T) { runTableCases(t, cacheCases) }

// SS005 names the cache a go command fills: `go mod download` the module
// cache (it used to speak of the build cache), a build the build cache.
func TestSS005GoCaches(t *testing.T) {
	tests := []struct{ src, want string }{
		{"FROM alpine:3.20\nRUN apk add --no-cache go\nCOPY go.mod go.sum ./\nRUN go mod download\nCMD [\"/app\"]\n",
			"the go module cache stays in this layer: clean it in the same RUN (go clean -modcache) or use RUN --mount=type=cache"},
		{"FROM alpine:3.20\nRUN apk add --no-cache go\nCOPY . .\nRUN go build -o /app .\nCMD [\"/app\"]\n",
			"the go build cache stays in this layer: clean it in the same RUN (go clean -cache -modcache) or use RUN --mount=type=cache"},
		{"FROM alpine:3.20\nRUN apk add --no-cache go\nCOPY go.mod go.sum ./\nRUN go mod download && go clean -modcache\nCMD [\"/app\"]\n", ""},
		{"FROM alpine:3.20\nRUN apk add --no-cache go\nCOPY go.mod go.sum ./\nRUN --mount=type=cache,target=/root/go/pkg/mod go mod download\nCMD [\"/app\"]\n", ""},
	}
	for _, tt := range tests {
		fs := lintInContext(t, "SS005", "Dockerfile", []byte(tt.src), "")
		got := ""
		if len(fs) > 0 {
			got = fs[0].Message
		}
		if len(fs) > 1 || got != tt.want {
			t.Errorf("%q:\ngot  %q (%d findings)\nwant %q", tt.src, got, len(fs), tt.want)
		}
	}
}
