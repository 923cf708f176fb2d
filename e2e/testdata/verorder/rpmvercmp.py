"""rpmvercmp.py FILE: for each "A<TAB>B" line of FILE, prints the order of
the [EPOCH:]VERSION[-RELEASE] strings A and B as rpm compares them (rpm.ver,
the rpmverCmp behind `rpm --eval '%{lua: print(rpm.vercmp(a, b))}'` and
rpmdev-vercmp): -1, 0 or 1. rpm takes any string, so nothing is invalid."""
import sys

import rpm

with open(sys.argv[1], encoding="utf-8") as f:
    out = []
    for line in f:
        a, b = line.rstrip("\n").split("\t")
        va, vb = rpm.ver(a), rpm.ver(b)
        out.append(str((va > vb) - (va < vb)))
print("\n".join(out))
