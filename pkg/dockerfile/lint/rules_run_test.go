package lint

import "testing"

// runCases are bad (want > 0) and good (want 0) Dockerfiles for the rules of
// rules_run.go; a name starts with its rule's ID.
var runCases = table([]tableCase{
	{"DL3001 top", "FROM a:1\nRUN top\n", 1, nil},
	{"DL3001 install ssh", "FROM a:1\nRUN apt-get install ssh\n", 0, nil},
	{"DL3001 powershell skipped", "FROM a:1\nSHELL [\"powershell\", \"-Command\"]\nRUN kill 1\n", 0, nil},

	{"DL3004 sudo", "FROM a:1\nRUN apt-get update && sudo apt-get install x\n", 1, nil},
	{"DL3004 install sudo", "FROM a:1\nRUN apt-get install sudo\n", 0, nil},
	{"DL3004 onbuild", "FROM a:1\nONBUILD RUN sudo make\n", 1, nil},

	{"DL3047", "FROM debian\nRUN wget https://x/y.tgz\n", 1, nil},
	{"DL3047", "FROM debian\nRUN wget -q https://x/y.tgz && wget -nv https://x/z && wget --progress=dot:giga https://x\n", 0, nil},

	{"DL3059", "FROM debian\nRUN a\nRUN b\n", 1, nil},
	{"DL3059", "FROM debian\nRUN a\n# c\nRUN b\n", 1, nil},
	{"DL3059", "FROM debian\nRUN a && b\nRUN c\n", 0, nil},
	{"DL3059", "FROM debian\nRUN a\nWORKDIR /\nRUN b\n", 0, nil},
	{"DL3059", "FROM debian\nRUN --mount=type=secret,id=a a\nRUN b\n", 0, nil},

	{"DL4001", "FROM debian\nRUN wget x\nRUN curl y\n", 1, nil},
	{"DL4001", "FROM debian\nRUN wget x && curl y\n", 1, nil},
	{"DL4001", "FROM debian\nRUN wget x\nFROM debian\nRUN curl y\n", 0, nil},
})

func TestRunRules(t *testing.T) { runTableCases(t, runCases) }

// runFixes are the in-file fixes of the rules of rules_run.go.
var runFixes = []fixCase{
	{"DL3047", "FROM debian\nRUN wget https://x/y\n", "FROM debian\nRUN wget --progress=dot:giga https://x/y\n"},
	{"DL3047", "FROM debian\nRUN wget https://x/y && \\\n    wget -O- https://x/z | sh\n", "FROM debian\nRUN wget --progress=dot:giga https://x/y && \\\n    wget --progress=dot:giga -O- https://x/z | sh\n"},
	{"DL3047", "# escape=`\nFROM debian\nRUN wget https://x/y `\n    && true\n", "# escape=`\nFROM debian\nRUN wget --progress=dot:giga https://x/y `\n    && true\n"},
}

func TestRunFixes(t *testing.T) { runFixCases(t, runFixes) }
