"""pep440.py FILE: for each "A<TAB>B" line of FILE, prints the order of A
and B under packaging.version.Version (-1, 0 or 1), or "invalid" when
packaging refuses either."""
import sys

from packaging.version import InvalidVersion, Version


def parse(s):
    try:
        return Version(s)
    except InvalidVersion:
        return None


with open(sys.argv[1], encoding="utf-8") as f:
    out = []
    for line in f:
        a, b = line.rstrip("\n").split("\t")
        va, vb = parse(a), parse(b)
        if va is None or vb is None:
            out.append("invalid")
        else:
            out.append(str((va > vb) - (va < vb)))
print("\n".join(out))
