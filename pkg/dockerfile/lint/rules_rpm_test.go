package lint

import "testing"

// rpmCases are bad (want > 0) and good (want 0) Dockerfiles for the rules of
// rules_rpm.go; a name starts with its rule's ID.
var rpmCases = table([]tableCase{
	{"DL3030 no -y", "FROM a:1\nRUN yum install httpd-2.4 && yum clean all\n", 1, nil},
	{"DL3030 -y", "FROM a:1\nRUN yum install -y httpd-2.4 && yum clean all\n", 0, nil},

	{"DL3032 no clean", "FROM a:1\nRUN yum install -y httpd-2.4\n", 1, nil},
	{"DL3032 clean before install", "FROM a:1\nRUN yum clean all && yum install -y httpd-2.4\n", 1, nil},
	{"DL3032 clean", "FROM a:1\nRUN yum install -y httpd-2.4 && yum clean all\n", 0, nil},
	{"DL3032 cache mount", "FROM a:1\nRUN --mount=type=cache,target=/var/cache/yum yum install -y httpd-2.4\n", 0, nil},

	{"DL3033 unpinned", "FROM a:1\nRUN yum install -y tomcat && yum clean all\n", 1, nil},
	{"DL3033 dashed name unpinned", "FROM a:1\nRUN yum install -y python3-devel\n", 1, nil},
	{"DL3033 pinned", "FROM a:1\nRUN yum install -y gcc-c++-11.4.1\n", 0, nil},
	{"DL3033 module", "FROM a:1\nRUN yum module install -y nodejs\n", 1, nil},
	{"DL3033 module pinned", "FROM a:1\nRUN yum module install -y nodejs:20\n", 0, nil},
	{"DL3033 version from ENV", "FROM a:1\nENV V=2.4\nRUN yum install -y httpd-${V}\n", 0, nil},
	{"DL3033 version from ARG without braces", "ARG V=2.4\nFROM a:1\nRUN yum install -y httpd-$V\n", 0, nil},
	{"DL3033 other variable", "FROM a:1\nENV V=2.4\nRUN yum install -y httpd-$VX\n", 1, nil},
	{"DL3033 ENV of another stage", "FROM a:1 AS b\nENV V=2.4\nFROM a:1\nRUN yum install -y httpd-${V}\n", 1, nil},
	{"DL3033 ENV of the base stage", "FROM a:1 AS b\nENV V=2.4\nFROM b\nRUN yum install -y httpd-${V}\n", 0, nil},

	{"DL3034", "FROM opensuse/leap\nRUN zypper install httpd=2.4.24 && zypper clean\n", 1, nil},
	{"DL3034", "FROM opensuse/leap\nRUN zypper install -y httpd=2.4.24 && zypper clean\n", 0, nil},
	{"DL3034", "FROM opensuse/leap\nRUN zypper --non-interactive install httpd=2.4.24\n", 0, nil},
	{"DL3034", "FROM opensuse/leap\nONBUILD RUN zypper rm httpd\n", 1, nil},

	{"DL3035", "FROM opensuse/leap\nRUN zypper dist-upgrade\n", 1, nil},
	{"DL3035", "FROM opensuse/leap\nRUN zypper dup -y\n", 1, nil},
	{"DL3035", "FROM opensuse/leap\nRUN zypper install -y x=1\n", 0, nil},

	{"DL3036", "FROM opensuse/leap\nRUN zypper install -y httpd=2.4.24\n", 1, nil},
	{"DL3036", "FROM opensuse/leap\nRUN zypper clean && zypper install -y httpd=2.4.24\n", 1, nil},
	{"DL3036", "FROM opensuse/leap\nRUN zypper install -y httpd=2.4.24 && zypper cc\n", 0, nil},
	{"DL3036", "FROM opensuse/leap\nRUN --mount=type=cache,target=/var/cache/zypp zypper install -y httpd=2.4.24\n", 0, nil},

	{"DL3037", "FROM opensuse/leap\nRUN zypper install -y httpd && zypper clean\n", 1, nil},
	{"DL3037", "FROM opensuse/leap\nRUN zypper in -y 'httpd>=2.4' ./local.rpm\n", 0, nil},

	{"DL3038", "FROM fedora\nRUN dnf install httpd-2.4.24 && dnf clean all\n", 1, nil},
	{"DL3038", "FROM fedora\nRUN microdnf --assumeyes install httpd-2.4.24\n", 0, nil},

	{"DL3040", "FROM fedora\nRUN dnf install -y httpd-2.4.24\n", 1, nil},
	{"DL3040", "FROM fedora\nRUN microdnf clean all && dnf in -y httpd-2.4.24\n", 1, nil},
	{"DL3040", "FROM fedora\nRUN dnf -y upgrade && dnf clean all\n", 0, nil},
	{"DL3040", "FROM fedora\nRUN dnf install -y httpd-2.4.24 && rm -rf /var/cache/yum/*\n", 0, nil},
	{"DL3040", "FROM fedora\nRUN --mount=type=cache,target=/var/cache/libdnf5 dnf install -y httpd-2.4.24\n", 0, nil},

	{"DL3041", "FROM fedora\nRUN dnf install -y tomcat && dnf clean all\n", 1, nil},
	{"DL3041", "FROM fedora\nRUN dnf module install -y tomcat && dnf clean all\n", 1, nil},
	{"DL3041", "FROM fedora\nRUN dnf install -y tomcat-9.0.1 openssl-1:1.1.1k ./x-1.0.rpm && dnf module install -y nodejs:18\n", 0, nil},
	{"DL3041", "FROM fedora\nRUN dnf group install -y \"Development Tools\"\n", 0, nil},
	{"DL3041", "FROM fedora AS a\nENV v=2.51.0-2.fc42\nFROM a\nRUN dnf -y install git-core-${v}\n", 0, nil},
	{"DL3041", "FROM fedora AS a\nENV v=2.51.0-2.fc42\nFROM fedora\nRUN dnf -y install git-core-${v}\n", 1, nil},
})

func TestRpmRules(t *testing.T) { runTableCases(t, rpmCases) }

// rpmFixes are the in-file fixes of the rules of rules_rpm.go.
var rpmFixes = []fixCase{
	{"DL3030 -y", "FROM a:1\nRUN yum install x-1 && yum clean all\n", "FROM a:1\nRUN yum -y install x-1 && yum clean all\n"},
	{"DL3032 clean", "FROM a:1\nRUN yum install -y x-1\n", "FROM a:1\nRUN yum install -y x-1 && yum clean all\n"},
	{"DL3034", "FROM opensuse/leap\nRUN zypper install x=1\n", "FROM opensuse/leap\nRUN zypper install -y x=1\n"},
	{"DL3036", "FROM opensuse/leap\nRUN zypper install -y x=1 \\\n && echo done\n", "FROM opensuse/leap\nRUN zypper install -y x=1 && zypper clean \\\n && echo done\n"},
	{"DL3038", "FROM fedora\nRUN dnf install x-1\n", "FROM fedora\nRUN dnf install -y x-1\n"},
	{"DL3040", "FROM fedora\nRUN microdnf install -y x-1\n", "FROM fedora\nRUN microdnf install -y x-1 && microdnf clean all\n"},
}

func TestRpmFixes(t *testing.T) { runFixCases(t, rpmFixes) }
