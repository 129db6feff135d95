#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the guest's bench.tsv into the make bench table (Markdown).

usage: report.py TSV SIMFILE

TSV lines are "metric<TAB>system<TAB>repetition<TAB>value". Every figure is
reported as "min / median" over its repetitions; ratios are formed per
repetition (repetition i of a system over repetition i of the raw device,
both from the same run) and then summarised the same way. Goals are
checked on medians. The table goes to stdout.
"""
import statistics
import sys
from collections import defaultdict

SYSTEMS = [("ours", "ours"), ("intree", "in-tree bcache"), ("dmcache", "dm-cache smq")]


def load(path):
    data = defaultdict(dict)
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 4:
                continue
            metric, system, rep, value = parts
            try:
                data[(metric, system)][int(rep)] = float(value)
            except ValueError:
                pass
    return data


def summary(values):
    if not values:
        return None
    return (min(values), statistics.median(values))


def ratios(data, metric, system, base_system, base_metric=None):
    a = data.get((metric, system), {})
    b = data.get((base_metric or metric, base_system), {})
    return [a[r] / b[r] for r in sorted(a) if r in b and b[r]]


def fmt(s, digits=2, unit=""):
    if s is None:
        return "n/a"
    return "%.*f / %.*f%s" % (digits, s[0], digits, s[1], unit)


def med(s):
    return None if s is None else s[1]


def verdict(ok):
    if ok is None:
        return "not measured"
    return "met" if ok else "**missed**"


def main():
    tsv, simfile = sys.argv[1:3]
    data = load(tsv)
    sim = {}
    with open(simfile) as f:
        for tok in f.read().split():
            if "=" in tok:
                k, v = tok.split("=", 1)
                sim[k] = v

    def vals(metric, system):
        return list(data.get((metric, system), {}).values())

    out = []
    p = out.append
    rows = []

    # hit-path efficiency
    # Over the raw SSD measured right before each repetition (same minute).
    eff = {s: summary(ratios(data, "randread", s, "raw-ssd-" + s)
                      or ratios(data, "randread", s, "raw-ssd")) for s, _ in SYSTEMS}
    ok = None
    if med(eff["ours"]) is not None:
        ok = med(eff["ours"]) >= 0.90 and all(
            med(eff[s]) is None or med(eff["ours"]) > med(eff[s]) for s in ("intree", "dmcache"))
    rows.append(("hit-path efficiency (cached 4k randread IOPS / raw SSD)",
                 [fmt(eff[s]) for s, _ in SYSTEMS], ">= 0.90, ahead of both", verdict(ok)))

    # skewed hit ratio
    skew = {s: summary(vals("skew_hit_pct", s)) for s, _ in SYSTEMS}
    ok = None
    if med(skew["ours"]) is not None:
        ok = all(med(skew[s]) is None or med(skew["ours"]) > med(skew[s])
                 for s in ("intree", "dmcache"))
    lru = float(sim.get("lru_ratio", "nan")) * 100
    opt = float(sim.get("belady_ratio", "nan")) * 100
    rows.append(("skewed hit ratio, %% (offline LRU %.2f, Belady %.2f)" % (lru, opt),
                 [fmt(skew[s]) for s, _ in SYSTEMS], "ahead of both", verdict(ok)))
    gaps = []
    for s, name in SYSTEMS:
        if skew[s] is not None:
            gaps.append("%s %+.2f / %+.2f" % (name, med(skew[s]) - lru, med(skew[s]) - opt))

    # passthrough
    for metric, label in (("seqread", "passthrough seq 1M read / raw HDD"),
                          ("hddrandread", "passthrough 4k randread / raw HDD")):
        # Over the raw HDD measured right before each repetition.
        r = {s: summary(ratios(data, metric, s, "raw-hdd-" + s)
                        or ratios(data, metric, s, "raw-hdd")) for s, _ in SYSTEMS}
        ok = None if r["ours"] is None else med(r["ours"]) >= 0.98
        rows.append((label, [fmt(r[s]) for s, _ in SYSTEMS], ">= 0.98", verdict(ok)))

    # writethrough writes
    for metric, label in (("randwrite", "writethrough 4k randwrite QD32 / raw HDD"),
                          ("fsyncwrite", "writethrough 4k write+fsync QD1 / raw HDD")):
        r = {s: summary(ratios(data, metric, s, "raw-hdd")) for s, _ in SYSTEMS}
        ok = None if r["ours"] is None else med(r["ours"]) >= 0.95
        rows.append((label, [fmt(r[s]) for s, _ in SYSTEMS], ">= 0.95", verdict(ok)))

    # registration
    reg = {s: summary(vals("register_ms", s)) for s, _ in SYSTEMS}
    ok = None
    if med(reg["ours"]) is not None and med(reg["intree"]) is not None:
        ok = med(reg["ours"]) * 5 <= med(reg["intree"])
    fill = {s: summary(vals("fill_pct", s)) for s, _ in SYSTEMS}
    rows.append(("registration of a full cache, ms (until a read is served)",
                 [fmt(reg[s], 0) for s, _ in SYSTEMS], ">= 5x faster than in-tree", verdict(ok)))
    if med(reg["ours"]) and med(reg["intree"]):
        speedup = med(reg["intree"]) / med(reg["ours"])
    else:
        speedup = None

    # memory
    for metric, label in (("kmem_mib_per_gib",
                           "kernel memory, MiB per GiB of cache (slab + vmalloc)"),
                          ("kall_mib_per_gib",
                           "kernel memory, MiB per GiB of cache (all: with page allocations)")):
        mem = {s: summary(vals(metric, s)) for s, _ in SYSTEMS}
        ok = None
        if med(mem["ours"]) is not None and med(mem["intree"]) is not None:
            ok = med(mem["ours"]) <= med(mem["intree"])
        rows.append((label, [fmt(mem[s], 2) for s, _ in SYSTEMS], "<= in-tree", verdict(ok)))

    # CPU
    cpu = {s: summary(vals("cpu_per_1k", s)) for s, _ in SYSTEMS}
    ok = None
    if med(cpu["ours"]) is not None:
        ok = all(med(cpu[s]) is None or med(cpu["ours"]) < med(cpu[s])
                 for s in ("intree", "dmcache"))
    rows.append(("guest CPU, ms per 1k hits (raw SSD: %s per 1k reads)"
                 % fmt(summary(vals("cpu_per_1k", "raw-ssd")), 1),
                 [fmt(cpu[s], 1) for s, _ in SYSTEMS], "below both", verdict(ok)))
    # The same, over the raw SSD's CPU per read right before each repetition:
    # under TCG a busy host inflates every guest tick, whichever system runs.
    rel = {s: summary(ratios(data, "cpu_per_1k", s, "raw-ssd-" + s)) for s, _ in SYSTEMS}
    if rel["ours"] is not None:
        rows.append(("... the same ÷ raw SSD CPU per 1k reads right before (drift check)",
                     [fmt(rel[s]) for s, _ in SYSTEMS], "(not a goal)", ""))

    p("| metric (min / median) | " + " | ".join(n for _, n in SYSTEMS) + " | goal for us | |")
    p("|---|" + "---|" * (len(SYSTEMS) + 2))
    for label, cells, goal, v in rows:
        p("| %s | %s | %s | %s |" % (label, " | ".join(cells), goal, v))
    p("")
    if speedup:
        p("Registration: in-tree median / ours median = %.1fx." % speedup)
    if gaps:
        p("Skewed hit ratio minus offline LRU / minus Belady (points, medians): "
          + "; ".join(gaps) + ".")
    p("Cache fill before the registration runs (% of buckets or blocks in use): "
      + ", ".join("%s %s" % (n, fmt(fill[s], 0)) for s, n in SYSTEMS) + ".")
    p("")

    # raw figures
    p("Raw figures (min / median over the repetitions):")
    p("")
    p("| figure | raw SSD | raw HDD | ours | in-tree bcache | dm-cache smq |")
    p("|---|---|---|---|---|---|")
    figs = [("randread", "4k randread QD32x2 over the hit set, IOPS", 0),
            ("randread@raw-ssd", "... raw SSD right before each system's repetition, IOPS", 0),
            ("cpu_per_1k", "guest CPU ms per 1k reads/hits", 2),
            ("cpu_per_1k@raw-ssd", "... raw SSD right before each system's repetition, ms per 1k reads", 2),
            ("seqread", "seq 1M read, KiB/s (passthrough for the caches)", 0),
            ("seqread@raw-hdd", "... raw HDD right before each system's repetition, KiB/s", 0),
            ("hddrandread", "4k randread QD32 over the HDD, IOPS (passthrough)", 0),
            ("hddrandread@raw-hdd", "... raw HDD right before each system's repetition, IOPS", 0),
            ("randwrite", "4k randwrite QD32, IOPS", 0),
            ("fsyncwrite", "4k write+fsync QD1, IOPS", 0),
            ("skew_hit_pct", "skewed trace hit ratio, %", 2),
            ("skew_iops", "skewed trace replay, reads/s", 0),
            ("register_ms", "registration of a full cache, ms", 0),
            ("kmem_mib_per_gib", "slab+vmalloc of a registered full cache, MiB/GiB", 2),
            ("kmem_fill_mib_per_gib", "slab+vmalloc after load+use+fill, MiB/GiB", 2),
            ("kall_mib_per_gib", "all kernel memory of a registered full cache, MiB/GiB", 2),
            ("kall_fill_mib_per_gib", "all kernel memory after load+use+fill, MiB/GiB", 2),
            ("fill_pct", "cache in use before registration, %", 0)]
    for metric, label, d in figs:
        if "@" in metric:
            metric, base = metric.split("@")
            cells = ["", ""] + [fmt(summary(vals(metric, base + "-" + s)), d)
                                for s in ("ours", "intree", "dmcache")]
        else:
            cells = [fmt(summary(vals(metric, s)), d)
                     for s in ("raw-ssd", "raw-hdd", "ours", "intree", "dmcache")]
        p("| %s | %s |" % (label, " | ".join(cells)))
    print("\n".join(out))


if __name__ == "__main__":
    main()
