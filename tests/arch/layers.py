#!/usr/bin/env python3
"""The layering of libifk, read off its object files with nm: which file
calls (or uses data of) which, so that no two files of the library call
each other in a circle and every call goes to the same layer or one below.

    layers.py OBJDIR     (the build's CMakeFiles/ifk.dir/lib)

Layers, bottom up: core < formats < evidence < acquire, verify < parse <
report (acquire and verify stand side by side and do not call each other).
Prints every circle and every call that runs up or sideways; exits 1 when
there is one."""
import os
import subprocess
import sys

RANK = {"core": 0, "formats": 1, "evidence": 2, "acquire": 3, "verify": 3, "parse": 4,
        "report": 5}


def objects(top):
    for dirpath, _, files in os.walk(top):
        for f in sorted(files):
            if f.endswith(".o"):
                path = os.path.join(dirpath, f)
                rel = os.path.relpath(path, top)[:-2]  # lib-relative source name
                yield rel, path


def symbols(path):
    out = subprocess.run(["nm", "--defined-only", path], capture_output=True, text=True,
                         check=True).stdout
    defined = {l.split()[-1] for l in out.splitlines()
               if len(l.split()) == 3 and l.split()[1] in "TDRBCGSV"}
    out = subprocess.run(["nm", "--undefined-only", path], capture_output=True, text=True,
                         check=True).stdout
    used = {l.split()[-1] for l in out.splitlines() if l.split()}
    return defined, used


def circles(graph):
    """Tarjan's strongly connected components larger than one file."""
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def main():
    top = sys.argv[1]
    files = dict(objects(top))
    if len(files) < 20:
        print("%s: %d object files: not libifk's objects" % (top, len(files)))
        return 1
    owner, uses = {}, {}
    for name, path in files.items():
        d, u = symbols(path)
        for s in d:
            owner.setdefault(s, name)
        uses[name] = u
    graph = {name: set() for name in files}
    names = {}
    for name in files:
        for s in uses[name]:
            o = owner.get(s)
            if o and o != name:
                graph[name].add(o)
                names.setdefault((name, o), []).append(s)
    bad = 0
    for comp in circles(graph):
        bad += 1
        print("circle: " + " <-> ".join(comp))
        for a in comp:
            for b in comp:
                if b in graph[a]:
                    print("  %s -> %s: %s" % (a, b, ", ".join(sorted(names[(a, b)])[:6])))
    for a in sorted(graph):
        la = a.split("/")[0]
        for b in sorted(graph[a]):
            lb = b.split("/")[0]
            if la == lb:
                continue
            if la not in RANK or lb not in RANK:
                print("unknown layer: %s -> %s" % (a, b))
                bad += 1
            elif RANK[lb] >= RANK[la]:
                print("%s calls %s (layer %s is not below %s): %s" %
                      (a, b, lb, la, ", ".join(sorted(names[(a, b)])[:6])))
                bad += 1
    print("%d files, %d calls between them, %d problems" %
          (len(graph), sum(len(v) for v in graph.values()), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
