#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Skewed-read trace for make bench, and offline cache simulations of it.

Writes a fio iolog (version 2) of N 4 KiB reads over a working set of BLOCKS
4 KiB blocks at OFFSET bytes of the target, drawn from a zipf(THETA)
distribution with a seeded generator: rank r (1-based) has probability
proportional to 1 / r**THETA, and a seeded shuffle scatters the ranks over
the working set (so hot blocks are not adjacent). The same seed gives the
same trace on every run and for every system.

It then replays the trace through two offline caches of CACHE_BLOCKS 4 KiB
blocks, filled on every miss: LRU, and Belady's optimal policy (evict the
block whose next use is furthest away), and prints their hit ratios.

usage: trace.py --out FILE --blocks N --ios N --cache-blocks N
                [--theta 1.1] [--seed 1] [--offset BYTES] [--target PATH]
"""
import argparse
import bisect
import heapq
import itertools
import random
import sys
from collections import OrderedDict

BS = 4096


def make_trace(blocks, ios, theta, seed):
    rng = random.Random(seed)
    weights = [1.0 / (r ** theta) for r in range(1, blocks + 1)]
    cum = list(itertools.accumulate(weights))
    total = cum[-1]
    perm = list(range(blocks))
    rng.shuffle(perm)
    out = []
    for _ in range(ios):
        rank = bisect.bisect_left(cum, rng.random() * total)
        out.append(perm[min(rank, blocks - 1)])
    return out


def lru_hits(trace, cap):
    lru = OrderedDict()
    hits = 0
    for b in trace:
        if b in lru:
            hits += 1
            lru.move_to_end(b)
        else:
            if len(lru) >= cap:
                lru.popitem(last=False)
            lru[b] = True
    return hits


def belady_hits(trace, cap):
    n = len(trace)
    nxt = [0] * n
    last = {}
    for i in range(n - 1, -1, -1):
        nxt[i] = last.get(trace[i], n + i)  # never again: beyond the end
        last[trace[i]] = i
    cached = {}         # block -> its next use
    heap = []           # (-next use, block), lazily invalidated
    hits = 0
    for i, b in enumerate(trace):
        if b in cached:
            hits += 1
        elif len(cached) >= cap:
            while True:
                nu, victim = heapq.heappop(heap)
                if cached.get(victim) == -nu:
                    del cached[victim]
                    break
        cached[b] = nxt[i]
        heapq.heappush(heap, (-nxt[i], b))
    return hits


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--blocks", type=int, required=True)
    ap.add_argument("--ios", type=int, required=True)
    ap.add_argument("--cache-blocks", type=int, required=True)
    ap.add_argument("--theta", type=float, default=1.1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--offset", type=int, default=0)
    ap.add_argument("--target", default="TARGET")
    a = ap.parse_args()

    trace = make_trace(a.blocks, a.ios, a.theta, a.seed)
    with open(a.out, "w") as f:
        f.write("fio version 2 iolog\n%s add\n%s open\n" % (a.target, a.target))
        for b in trace:
            f.write("%s read %d %d\n" % (a.target, a.offset + b * BS, BS))
        f.write("%s close\n" % a.target)
    lru = lru_hits(trace, a.cache_blocks)
    opt = belady_hits(trace, a.cache_blocks)
    print("ios=%d distinct=%d lru_hits=%d belady_hits=%d lru_ratio=%.4f belady_ratio=%.4f"
          % (len(trace), len(set(trace)), lru, opt, lru / len(trace), opt / len(trace)))


if __name__ == "__main__":
    sys.exit(main())
