#!/usr/bin/env python3
"""Compare kube-score's JSON with slimship k8s lint's JSON.

For every object kube-score scored and every kube-score check slimship also
implements (same ID), the pair agrees when both fail it or both pass it
(kube-score fails a check at grade CRITICAL or WARNING; slimship fails it
with a finding at warning or above). An object agrees when all its pairs do.
Prints the figures and every disagreement.

usage: compare.py KUBE_SCORE.json SLIMSHIP.json SLIMSHIP_RULES.json
"""
import json
import sys
from collections import defaultdict

ks = json.load(open(sys.argv[1]))
ss = json.load(open(sys.argv[2]))["findings"]
ours = {r["id"] for r in json.load(open(sys.argv[3]))["rules"] if r["domain"] == "kubernetes"}

GRADE = {1: "error", 5: "warning", 7: "ok", 10: "ok"}
SEV = {"error": 4, "warning": 3, "info": 2, "style": 1}

def key(kind, ns, name):
    return (kind, ns or "", name or "")

got = defaultdict(lambda: defaultdict(list))  # object -> rule -> [finding]
for f in ss:
    o = f.get("object") or {}
    got[key(o.get("kind"), o.get("namespace"), o.get("name"))][f["rule"]].append(f)

# kube-score merges objects with the same kind, apiVersion, namespace and
# name (across files) into one scorecard entry; slimship's findings for such
# objects are merged the same way, and a check fails when any copy fails.
ksobj = {}
for obj in ks:
    k = key(obj["type_meta"]["kind"], obj["object_meta"].get("namespace"), obj["object_meta"].get("name"))
    e = ksobj.setdefault(k, {"file": obj["file_name"].rsplit("/", 1)[-1], "checks": {}})
    for c in obj["checks"]:
        cid = c["check"]["id"]
        bad = (not c["skipped"]) and c["grade"] in (1, 5)
        prev = e["checks"].get(cid)
        if prev is None or (bad and (not prev["bad"] or c["grade"] < prev["grade"])):
            e["checks"][cid] = {"bad": bad, "grade": c["grade"], "skipped": c["skipped"], "comments": c.get("comments")}

pairs = agree_pairs = grade_agree = 0
objects = agree_objects = 0
disagreements = []
per_check = defaultdict(lambda: [0, 0])
for k, e in ksobj.items():
    ok_obj = True
    checked = False
    for cid, c in sorted(e["checks"].items()):
        if cid not in ours:
            continue
        checked = True
        ks_bad = c["bad"]
        fs = [f for f in got[k].get(cid, []) if SEV[f["severity"]] >= 3]
        ss_bad = bool(fs)
        pairs += 1
        per_check[cid][0] += 1
        if ks_bad == ss_bad:
            agree_pairs += 1
            per_check[cid][1] += 1
            if ks_bad:
                top = max(fs, key=lambda f: SEV[f["severity"]])["severity"]
                if top == GRADE[c["grade"]]:
                    grade_agree += 1
            else:
                grade_agree += 1
        else:
            ok_obj = False
            summary = "; ".join(x.get("summary", "") for x in (c.get("comments") or []))
            mine = "; ".join(sorted(set(f["message"] for f in fs)))
            disagreements.append((e["file"], "%s %s/%s" % (k[0], k[1], k[2]), cid,
                                  "kube-score %s%s" % (GRADE.get(c["grade"], c["grade"]) if not c["skipped"] else "skipped",
                                                        (": " + summary) if summary else ""),
                                  "slimship " + ("fails: " + mine if ss_bad else "passes")))
    if checked:
        objects += 1
        agree_objects += ok_obj

print("objects scored by both: %d, agreeing on every shared check: %d (%.1f%%)" % (objects, agree_objects, 100.0 * agree_objects / max(objects, 1)))
print("(object, check) pairs: %d, pass/fail agreement: %d (%.1f%%), same grade: %d (%.1f%%)" % (
    pairs, agree_pairs, 100.0 * agree_pairs / max(pairs, 1), grade_agree, 100.0 * grade_agree / max(pairs, 1)))
print("shared checks: %d" % len(per_check))
for cid, (n, a) in sorted(per_check.items()):
    if n != a:
        print("  %-62s %d/%d agree" % (cid, a, n))
print("disagreements:")
for d in disagreements:
    print("  %s | %s | %s | %s | %s" % d)
