# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="udev: a slow registration never holds up udev; it completes in the background, once, and a re-trigger meanwhile starts no second one"
TEST_GROUPS="boot"
TIMEOUT=300
DISKS="ssd:64M"

# shellcheck source=lib.bash
. "$REPO/tests/vm/boot/lib.bash"

test()
{
	local ssd t0 t

	ssd=${DISK_ssd##*/}
	boot_setup
	bch_format "$DISK_ssd" --bucket 64k
	udev_start
	# Loading the module waits for this lock: the registration that udev
	# starts cannot finish while the test holds it. A registration in
	# udev's worker would hold each event until udev's timeout (180 s).
	mkdir -p /run/bcache
	exec 9> /run/bcache/module.lock
	flock 9
	t0=$SECONDS
	coldplug "$DISK_ssd"
	udevadm trigger --action=add --settle "/sys/class/block/$ssd"
	udevadm trigger --action=change --settle "/sys/class/block/$ssd"
	t=$((SECONDS - t0))
	echo "udev done after ${t}s"
	[ "$t" -lt 90 ] || fail "udev waited ${t}s for the registration"
	sleep 2
	[ ! -d /sys/module/bcache ] || fail "the module was loaded despite the lock"
	exec 9>&-
	wait_for 60 [ -e "$SYSFS_BCACHE/$ssd/bucket_size" ] || fail "the cache was not registered in the background"
	# Three events, one registration: no "already registered" refusal.
	sleep 2
	if dmesg | grep -E 'register_cache: .*(already|busy|in use)'; then
		fail "a second registration reached the kernel"
	fi
	# Background registrations log their errors to the kernel log.
	if dmesg | grep 'bcachectl:'; then
		fail "a background registration failed"
	fi
	check_udev_log
	boot_teardown
}
