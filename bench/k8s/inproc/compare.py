#!/usr/bin/env python3
"""Compare the per-round output of ./kubescore and ./slimship ("round wall
cpu" lines): the first round (cold: first-use costs, no process start-up)
and the median of the rest (warm), as objects per second and as a ratio.

usage: compare.py OBJECTS KUBE_SCORE_OUT SLIMSHIP_OUT
"""
import sys

objects = int(sys.argv[1])


def load(path):
    rows = [tuple(map(float, l.split()[1:3])) for l in open(path) if l.strip()]
    warm = rows[1:]

    def med(i):
        xs = sorted(r[i] for r in warm)
        return xs[len(xs) // 2]

    return {"cold": rows[0], "warm": (med(0), med(1))}


ks, ss = load(sys.argv[2]), load(sys.argv[3])
for phase in ("cold", "warm"):
    (kw, kc), (sw, sc) = ks[phase], ss[phase]
    print("%s: kube-score wall %.4f s cpu %.4f s | slimship wall %.4f s cpu %.4f s | "
          "%.0f vs %.0f objects/cpu-s | speed-up wall %.1fx, cpu %.1fx"
          % (phase, kw, kc, sw, sc, objects / kc, objects / sc, kw / sw, kc / sc))
