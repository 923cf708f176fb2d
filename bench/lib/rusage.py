#!/usr/bin/env python3
"""Run a command and print "wall user sys maxrss_kb rc" with microsecond
CPU times, read from wait4() for that child alone (GNU time prints CPU in
hundredths of a second, too coarse for runs of a few milliseconds).

    rusage.py [-o OUT] [--each LIST] -- CMD...

With --each, CMD is run once per line of LIST with the line appended as
its last argument, and each output line ends with that argument. Output
goes to OUT (appended) or stdout; the command's own output is discarded.

maxrss_kb is the kernel's high-water mark for the child, which includes the
moment between fork and exec: a figure below this script's own resident
size (about 14 MB) is this script's, not the command's.
"""
import os
import subprocess
import sys
import time


def run(cmd):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    return "%.6f %.6f %.6f %d %d" % (wall, ru.ru_utime, ru.ru_stime, ru.ru_maxrss, p.returncode)


def main(argv):
    out, each = None, None
    while argv and argv[0] != "--":
        if argv[0] == "-o":
            out, argv = argv[1], argv[2:]
        elif argv[0] == "--each":
            each, argv = argv[1], argv[2:]
        else:
            sys.exit("rusage.py: unknown flag " + argv[0])
    cmd = argv[1:]
    if not cmd:
        sys.exit(__doc__)
    lines = []
    if each:
        with open(each) as f:
            for arg in f.read().splitlines():
                lines.append(run(cmd + [arg]) + " " + arg)
    else:
        lines.append(run(cmd))
    w = open(out, "a") if out else sys.stdout
    w.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
