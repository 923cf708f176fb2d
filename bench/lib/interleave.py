#!/usr/bin/env python3
"""Median CPU (user+sys from wait4) of commands run in interleaved, shuffled
rounds, so a loaded machine's noise falls on all of them alike.

usage: interleave.py ROUNDS NAME=CMD... [--] [ARGS...]
  Each NAME=CMD is a program (its own words split on spaces); ARGS are
  appended to every one. The first NAME is the reference for ratios.

example (two builds of slimship on the k8s corpus):
  python3 bench/lib/interleave.py 20 base=/tmp/ss-base now=bin/slimship -- \
      k8s lint -f json --fail-on none ../shared/corpus/k8s
"""
import os
import random
import statistics
import sys


def cpu(argv):
    # posix_spawn (vfork in glibc) rather than fork: a forked child would be
    # charged for copying this Python process's pages before its exec.
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=[
            (os.POSIX_SPAWN_DUP2, devnull, 1),
            (os.POSIX_SPAWN_DUP2, devnull, 2),
        ])
    finally:
        os.close(devnull)
    _, _, ru = os.wait4(pid, 0)
    return ru.ru_utime + ru.ru_stime


def main():
    rounds = int(sys.argv[1])
    rest = sys.argv[2:]
    args = []
    if "--" in rest:
        i = rest.index("--")
        rest, args = rest[:i], rest[i + 1:]
    cmds = {}
    for spec in rest:
        name, _, cmd = spec.partition("=")
        cmds[name] = cmd.split() + args
    res = {k: [] for k in cmds}
    for _ in range(rounds):
        order = list(cmds)
        random.shuffle(order)
        for k in order:
            res[k].append(cpu(cmds[k]))
    ref = statistics.median(res[next(iter(cmds))])
    for k in cmds:
        m = statistics.median(res[k])
        print(f"{k:12s} median CPU {m * 1000:8.1f} ms   {m / ref:5.2f}x the first")


if __name__ == "__main__":
    main()
