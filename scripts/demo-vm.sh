# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# The demo scenario, run in the guest by the test harness (scripts/demo.sh).
DESCRIPTION="demo: the module in a VM with a virtual SSD and a throttled HDD"
TIMEOUT=900
MEM=1024
DISKS="ssd:512M hdd:2G:iops=150"

test()
{
	echo "== Virtual disks: SSD $DISK_ssd, throttled HDD $DISK_hdd (150 IOPS)"
	lsblk -d -o NAME,SIZE,SERIAL "$DISK_ssd" "$DISK_hdd"
	echo "== Loading bcache.ko"
	insmod "$BCACHE_KO"
	ls -l /sys/kernel/bcache/
	modinfo "$BCACHE_KO" | grep -E '^(description|license|vermagic)'
	rmmod bcache
	echo "== The kernel core (registration, caching) lands with issue 4."
}
