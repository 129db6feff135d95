#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: one VM (QEMU/TCG) with a virtual SSD and a throttled virtual
# HDD runs the same fio workloads on the raw devices, our /dev/bcache0, the
# in-tree bcache (bcache-tools) and dm-cache (smq, writethrough), then prints
# a table of ratios within the run and writes it, with the date and the exact
# parameters, to tests/results/bench/YYYY-MM-DD-HHMM.md.
#
# It reports and never fails on numbers: it fails only if a phase could not
# run or a system's own counters contradict the phase (scripts/bench-vm.sh).
#
#   BENCH_QUICK=1   a short smoke run (1 repetition, 3 s phases, short trace)
#   BENCH_ONLY="raw ours intree dmcache"   the systems to run (default: all)
#   BENCH_KERNEL_ARGS="..."   guest kernel parameters instead of the TSC
#                   clocksource ("" for none)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
out=$repo/build/bench
resdir=$repo/tests/results/bench

# The registration phase fills the whole cache (1.25x its size, 4k random
# writes); the in-tree bcache's registration grows with its index, ours
# with its journal, so the full run uses a 1 GiB cache, the quick one
# 256 MiB.
if [ -n "${BENCH_QUICK:-}" ]; then
	export BCT_BENCH_QUICK=1 BCT_BENCH_RUNTIME=3 BCT_BENCH_REPS=1 BCT_BENCH_HIT_REPS=1 BCT_BENCH_SKEW_IOS=8000
	export BCT_BENCH_SSD_MB=256 BCT_BENCH_HDD_MB=1024 BCT_BENCH_FILL_MB=320
else
	export BCT_BENCH_RUNTIME=10 BCT_BENCH_REPS=3 BCT_BENCH_HIT_REPS=5 BCT_BENCH_SKEW_IOS=40000
	export BCT_BENCH_SSD_MB=1024 BCT_BENCH_HDD_MB=2048 BCT_BENCH_FILL_MB=1280
fi
export BCT_BENCH_HDD_IOPS=300 BCT_BENCH_HIT_WS_MB=128
# TCG gives the guest no usable TSC, so it would clock from the emulated
# HPET, where every clock read exits to QEMU: the block layer reads the
# clock per bio and per request, which makes any stacked device pay a large
# emulation cost per layer. The TSC is what real hardware uses.
export BCT_KERNEL_ARGS="${BENCH_KERNEL_ARGS-clocksource=tsc tsc=reliable}"
export BCT_BENCH_SKEW_CACHE_MB=16 BCT_BENCH_SKEW_BUCKET=16k BCT_BENCH_BUCKET=256k BCT_BENCH_DMC_BLOCK_SECTORS=128
export BCT_BENCH_TRACE=$out/trace.log
[ -n "${BENCH_ONLY:-}" ] && export BCT_BENCH_ONLY=$BENCH_ONLY
skew_ws_mb=$((BCT_BENCH_SKEW_CACHE_MB * 3))
skew_seed=${BENCH_SEED:-1}

# The in-tree module is formatted by Debian's bcache-tools; it is needed for
# the benchmark only (the guest uses the host's /usr/sbin/make-bcache; it
# runs no udevd, so bcache-tools' udev rules do nothing there).
if [ ! -x /usr/sbin/make-bcache ]; then
	echo "bench: installing bcache-tools (for the in-tree bcache)"
	sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
		bcache-tools >/dev/null
fi

mkdir -p "$out" "$resdir"
start=$(date -u +%s)
stamp=$(date -u +%Y-%m-%d-%H%M)
echo "bench: skewed trace: $BCT_BENCH_SKEW_IOS 4k reads, zipf:1.1, seed $skew_seed," \
	"over ${skew_ws_mb} MiB (3x a ${BCT_BENCH_SKEW_CACHE_MB} MiB cache)"
python3 "$repo/scripts/bench/trace.py" --out "$BCT_BENCH_TRACE" --ios "$BCT_BENCH_SKEW_IOS" \
	--blocks $((skew_ws_mb * 256)) --cache-blocks $((BCT_BENCH_SKEW_CACHE_MB * 256)) \
	--theta 1.1 --seed "$skew_seed" > "$out/sim.txt"
cat "$out/sim.txt"

echo "bench: booting the VM (QEMU/TCG)..."
rc=0
BCACHE_RESULTS=$out "$repo/tests/run" --file "$repo/scripts/bench-vm.sh" || rc=$?
rdir=$out/stock/scripts/bench-vm
status=$(cat "$rdir/status" 2>/dev/null || echo "no status")
[ "$status" = pass ] || rc=${rc/#0/1}
elapsed=$(($(date -u +%s) - start))

report=$resdir/$stamp.md
{
	echo "# make bench, $(date -u '+%Y-%m-%d %H:%M UTC')${BENCH_QUICK:+ (BENCH_QUICK=1 smoke run)}"
	echo
	echo "- commit $(git -C "$repo" rev-parse --short HEAD)$(git -C "$repo" diff --quiet HEAD -- drivers 2>/dev/null || echo ' (drivers/ modified)'), guest kernel $(ls -d /lib/modules/6.1.*-amd64 2>/dev/null | grep -v -e -rt- -e -cloud- | sort -V | tail -n 1 | xargs -r basename), QEMU TCG, 2 vCPUs, 1 GiB; host $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg) at the end; ${elapsed} s in all"
	echo "- guest kernel parameters added: ${BCT_KERNEL_ARGS:-none}"
	echo "- SSD ${BCT_BENCH_SSD_MB} MiB (unthrottled), HDD ${BCT_BENCH_HDD_MB} MiB throttled to ${BCT_BENCH_HDD_IOPS} IOPS (QEMU throttling.iops-total); virtio-blk, cache=unsafe, aio=threads"
	echo "- every fio phase ${BCT_BENCH_RUNTIME} s, ${BCT_BENCH_REPS} repetition(s), direct I/O; hit phase (${BCT_BENCH_HIT_REPS} repetitions, each right after one on the raw SSD): 4k randread libaio QD32 x 2 jobs over the first ${BCT_BENCH_HIT_WS_MB} MiB, after sequential 64k reads at QD1 and 4k random reads of it until a pass counts >= 99.9% hits (at most 5 passes)"
	echo "- passthrough: seq 1M read libaio QD4, 4k randread libaio QD32 over the whole device, no cache attached (ours: registered before any cache; in-tree: make-bcache -B, no cache), each repetition ÷ the raw HDD measured right before it; writes: 4k randwrite libaio QD32, 4k psync write + fsync QD1, over ${BCT_BENCH_HIT_WS_MB} MiB"
	echo "- registration: the bcaches are filled through a second, unthrottled ${BCT_BENCH_FILL_MB} MiB backing disk with 4k random writes at QD1 (each block once), dm-cache by reads of the HDD; stop, then time from registering the cache to the first 4k read served (builtins only, 2 ms polls; dm-cache: dmsetup create on the kept metadata); memory = after that read minus before, both after drop_caches and a shrink of every slab cache: Slab + VmallocUsed, and all kernel memory (MemTotal - MemFree - Buffers - Cached - AnonPages)"
	echo "- skewed: ${BCT_BENCH_SKEW_IOS} 4k reads, zipf theta 1.1, seed ${skew_seed}, over ${skew_ws_mb} MiB, replayed by fio read_iolog (psync, QD1, replay_no_stall) on a fresh ${BCT_BENCH_SKEW_CACHE_MB} MiB cache (bcaches: ${BCT_BENCH_SKEW_BUCKET} buckets; dm-cache: 32 KiB blocks, its minimum); offline simulation with ${BCT_BENCH_SKEW_CACHE_MB} MiB of 4k blocks: $(cat "$out/sim.txt")"
	echo "- both bcaches use ${BCT_BENCH_BUCKET} buckets (the in-tree one refuses 512 or fewer buckets); ours: writethrough, sequential_cutoff 0; in-tree: bcache-tools $(dpkg-query -W -f='${Version}' bcache-tools 2>/dev/null), writethrough, sequential_cutoff 0, congested_read/write_threshold_us 0; dm-cache: smq, writethrough, $((BCT_BENCH_DMC_BLOCK_SECTORS / 2)) KiB blocks, 8 MiB metadata carved from the SSD with dm-linear"
	echo "- CPU = non-idle, non-iowait /proc/stat ticks of the guest during the hit phase (fio included) per 1000 hits the system counted"
	echo "- result: $status"
	echo
	if [ -s "$rdir/bench.tsv" ]; then
		python3 "$repo/scripts/bench/report.py" "$rdir/bench.tsv" "$out/sim.txt"
	else
		echo "(no measurements)"
	fi
	echo
	echo "Guest log:"
	echo
	echo '```'
	cat "$rdir/bench.log" 2>/dev/null || true
	echo '```'
} > "$report"
cat "$report"
echo
echo "bench: results in $report (raw data: $rdir)"
if [ "$rc" -ne 0 ]; then
	echo "bench: FAILED ($status): a phase could not run or counters contradicted it" >&2
	tail -n 30 "$rdir/output" 2>/dev/null >&2 || true
fi
exit "$rc"
