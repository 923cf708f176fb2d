#!/usr/bin/env python3
"""Write N copies of a manifest corpus into OUT, each copy's objects moved
into their own namespace (<namespace or default>-copyI), so a large run keeps
the corpus's cross-object relations without duplicating names.

usage: scale.py N OUT FILE...
"""
import os
import sys

import yaml

n, out, files = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
os.makedirs(out, exist_ok=True)
count = 0
for i in range(n):
    for f in files:
        try:
            docs = list(yaml.safe_load_all(open(f)))
        except yaml.YAMLError:
            continue
        res = []
        for d in docs:
            if not isinstance(d, dict):
                continue
            items = d.get("items") if str(d.get("kind", "")).endswith("List") else [d]
            for o in items or []:
                if isinstance(o, dict) and isinstance(o.get("metadata"), dict):
                    o["metadata"]["namespace"] = "%s-copy%d" % (o["metadata"].get("namespace") or "default", i)
                    count += 1
            res.append(d)
        with open(os.path.join(out, "%03d-%s" % (i, os.path.basename(f))), "w") as w:
            yaml.safe_dump_all(res, w, sort_keys=False)
print(count)
