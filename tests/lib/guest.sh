#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the test VM as PID 1, on the overlay of the host root.
# Reads /results/env (written by the host), runs one test and writes
# /results/status ("pass", "fail RC" or "skip REASON"), /results/output and
# /results/dmesg, then powers the VM off.

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8

finish()
{
	sync
	echo o > /proc/sysrq-trigger
	# PID 1 must never exit: that panics the kernel. Once the power-off
	# has begun, exec may fail (the 9p root goes away), so wait with
	# builtins only.
	while :; do
		read -r -t 1 _ 2>/dev/null || :
	done
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
ln -sfn /proc/self/fd /dev/fd
ln -sfn fd/0 /dev/stdin
ln -sfn fd/1 /dev/stdout
ln -sfn fd/2 /dev/stderr
# /tmp stays the overlay of the host's /tmp (writes land in the tmpfs upper
# layer), so scratch builds under the host's /tmp remain visible.
mount -t tmpfs tmpfs /run
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t configfs configfs /sys/kernel/config 2>/dev/null
hostname bcache-test

# shellcheck source=/dev/null
. /results/env || { echo "guest: no /results/env"; finish; }

# A debug kernel's modules live in the kernel cache, not in the host root.
rel=$(uname -r)
if [ -n "${GUEST_MODDIR:-}" ]; then
	mkdir -p "/lib/modules/$rel"
	mount --bind "$GUEST_MODDIR" "/lib/modules/$rel"
fi

# Map the virtual disks by their serial: $DISK_<name>.
for d in /sys/block/vd*; do
	[ -e "$d/serial" ] || continue
	serial=$(cat "$d/serial")
	export "DISK_$serial=/dev/${d##*/}"
done

# kmemleak: forget what boot left behind, report what the test leaks.
kmemleak=/sys/kernel/debug/kmemleak
[ -w $kmemleak ] && echo clear > $kmemleak

# shellcheck source=common.sh
. "$REPO/tests/lib/common.sh"
# shellcheck source=/dev/null
. "$TEST_FILE"

cd /tmp || finish
echo "BCT-TEST-START $TEST_NAME" > /dev/kmsg

_bct_run_body /results
rc=$?

# Tear down what the test left, so leaks and teardown bugs show up.
if [ -d /sys/module/bcache ] && [ -z "${KEEP_MODULE:-}" ]; then
	rmmod bcache 2>>/results/output || echo "guest: rmmod bcache failed" >> /results/output
fi

if [ -w $kmemleak ]; then
	echo scan > $kmemleak
	sleep 6
	echo scan > $kmemleak
	if [ -s $kmemleak ]; then
		echo "kmemleak: unreferenced objects found"
		cat $kmemleak
	fi > /results/kmemleak
fi

echo "BCT-TEST-END $TEST_NAME rc=$rc" > /dev/kmsg
dmesg > /results/dmesg
finish
