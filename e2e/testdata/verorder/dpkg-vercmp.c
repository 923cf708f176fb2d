/*
 * dpkg-vercmp FILE: for each "A<TAB>B" line of FILE, prints the order of A
 * and B as `dpkg --compare-versions` decides it (-1, 0 or 1), or "invalid"
 * when dpkg finds either has bad syntax (an error or a warning). Linked
 * against libdpkg, so it runs the very parseversion and
 * dpkg_version_compare of the dpkg binary, for thousands of pairs in one
 * process instead of one dpkg process per pair.
 */
#define LIBDPKG_VOLATILE_API 1
#include <stdio.h>
#include <string.h>
#include <dpkg/dpkg.h>
#include <dpkg/dpkg-db.h>
#include <dpkg/error.h>
#include <dpkg/version.h>

static int parse(struct dpkg_version *v, const char *s) {
	struct dpkg_error err = DPKG_ERROR_INIT;
	int rc = parseversion(v, s, &err);
	int bad = rc < 0 || err.type != DPKG_MSG_NONE;
	dpkg_error_destroy(&err);
	return bad ? -1 : 0;
}

int main(int argc, char **argv) {
	if (argc != 2) {
		fprintf(stderr, "usage: dpkg-vercmp PAIRS\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "r");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	char line[8192];
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = '\0';
		char *tab = strchr(line, '\t');
		if (!tab) {
			fprintf(stderr, "dpkg-vercmp: no tab in %s\n", line);
			return 2;
		}
		*tab = '\0';
		struct dpkg_version a, b;
		if (parse(&a, line) < 0 || parse(&b, tab + 1) < 0) {
			puts("invalid");
			continue;
		}
		int r = dpkg_version_compare(&a, &b);
		puts(r < 0 ? "-1" : r > 0 ? "1" : "0");
	}
	return 0;
}
