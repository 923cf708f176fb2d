package shell

import (
	"reflect"
	"testing"
)

func TestParseFlattens(t *testing.T) {
	s := Parse(`apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -qy --no-install-recommends "curl" wget; (cd /x && make) | tee log; sh -c 'pip install -r req.txt'`)
	if s.Err != nil {
		t.Fatal(s.Err)
	}
	var names []string
	for _, c := range s.Commands {
		names = append(names, c.Name)
	}
	want := []string{"apt-get", "apt-get", "cd", "make", "tee", "sh", "pip"}
	if !reflect.DeepEqual(names, want) {
		t.Fatalf("names %v, want %v", names, want)
	}
	inst := s.Commands[1]
	if !inst.HasFlag("-y") || !inst.HasFlag("--no-install-recommends") || inst.HasFlag("--force-yes") {
		t.Fatal("flags wrong")
	}
	if got := inst.Positional(); !reflect.DeepEqual(got, []string{"install", "curl", "wget"}) {
		t.Fatalf("positional %v", got)
	}
	if inst.Env[0] != "DEBIAN_FRONTEND=noninteractive" {
		t.Fatalf("env %v", inst.Env)
	}
	if !s.HasPipe {
		t.Fatal("pipe not seen")
	}
	if !s.Commands[6].Nested || s.Commands[6].Sub() != "install" {
		t.Fatal("sh -c not walked")
	}
	if v, ok := inst.FlagValue("--no-install-recommends"); !ok || v != "curl" {
		t.Fatalf("FlagValue %q %v", v, ok)
	}
}

func TestInvalidShellFallsBack(t *testing.T) {
	s := Parse(`apt-get install foo && if then (`)
	if s.Err == nil {
		t.Fatal("want error")
	}
	if !s.Has("apt-get") {
		t.Fatal("fallback lost apt-get")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"a && b | c", "sh -c 'x; y'", "for i in 1 2; do echo $i; done", "case x in a) b;; esac", "if [ a ]; then b; fi"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		s := Parse(src)
		for _, c := range s.Commands {
			_ = c.Positional()
			_ = c.HasFlag("-y", "--yes")
		}
	})
}
