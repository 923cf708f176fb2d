#!/usr/bin/env python3
"""Time two commands side by side, interleaved, N rounds each.

Reports wall time and CPU time (user+sys, from the children's rusage) per
run and the speed-up of the second command over the first. CPU time is the
fairer figure on a shared machine, where wall time includes waiting for a core.

usage: speed.py ROUNDS OBJECTS -- CMD_A... -- CMD_B...
"""
import resource
import subprocess
import sys
import time

rounds = int(sys.argv[1])
objects = int(sys.argv[2])
rest = sys.argv[3:]
assert rest[0] == "--"
i = rest.index("--", 1)
cmds = {"kube-score": rest[1:i], "slimship": rest[i + 1:]}
res = {k: {"wall": [], "cpu": []} for k in cmds}

def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime

for _ in range(rounds):
    for name, cmd in cmds.items():
        c0, t0 = cpu(), time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        res[name]["wall"].append(time.perf_counter() - t0)
        res[name]["cpu"].append(cpu() - c0)

def med(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2]

for name in cmds:
    w, c = med(res[name]["wall"]), med(res[name]["cpu"])
    print("%-10s median wall %7.3f s  cpu %7.3f s  -> %8.0f objects/cpu-s" % (name, w, c, objects / c))
a, b = res["kube-score"], res["slimship"]
print("speed-up (median): wall %.1fx, cpu %.1fx" % (med(a["wall"]) / med(b["wall"]), med(a["cpu"]) / med(b["cpu"])))
