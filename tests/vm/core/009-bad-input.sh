# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="register_cache and register_dev reject bad input with an errno and one pr_err line each"
TEST_GROUPS="quick core"
TIMEOUT=300
DISKS="ssd:256M hdd:256M other:64M"

# rejects FILE INPUT ERRNO-TEXT
rejects()
{
	local err

	if err=$(printf '%s' "$2" 2>&1 > "$1"); then
		fail "$1 accepted '$2'"
	fi
	echo "$1 <- '$2': $err"
	grep -q "$3" <<< "$err" || fail "'$2' gave '$err', expected '$3'"
}

test()
{
	local u bc n0 n1

	load_module
	u=$(bch_new_uuid)
	n0=$(dmesg | grep -c 'bcache: ')

	# Bad uuids.
	rejects "$SYSFS_BCACHE/register_dev" "xyz $DISK_hdd" "Invalid argument"
	rejects "$SYSFS_BCACHE/register_dev" "0123 $DISK_hdd" "Invalid argument"
	rejects "$SYSFS_BCACHE/register_dev" "$u" "No such file"
	rejects "$SYSFS_BCACHE/register_dev" "$(printf 'a%.0s' {1..5000}) $DISK_hdd" "Invalid argument"
	# Missing or non-block paths.
	rejects "$SYSFS_BCACHE/register_dev" "$u /dev/nonexistent" "No such file"
	rejects "$SYSFS_BCACHE/register_dev" "$u /etc/passwd" "Block device required"
	rejects "$SYSFS_BCACHE/register_cache" "/dev/nonexistent" "No such file"
	rejects "$SYSFS_BCACHE/register_cache" "/etc/passwd" "Block device required"
	# Unformatted or corrupt cache.
	rejects "$SYSFS_BCACHE/register_cache" "$DISK_other" "Invalid argument"
	bch_format "$DISK_ssd" --bucket 64k
	dd if=/dev/urandom of="$DISK_ssd" bs=1 count=4 seek=$((4096 + 200)) conv=notrunc status=none
	rejects "$SYSFS_BCACHE/register_cache" "$DISK_ssd" "Invalid argument"
	bch_format "$DISK_ssd" --bucket 64k
	bch_register_cache "$DISK_ssd"
	# Registered twice.
	rejects "$SYSFS_BCACHE/register_cache" "$DISK_ssd" "Device or resource busy"
	# The cache device as a backing device.
	rejects "$SYSFS_BCACHE/register_dev" "$u $DISK_ssd" "Device or resource busy"
	bc=$(bch_register_dev "$u" "$DISK_hdd")
	# Same uuid, same device, our own /dev/bcacheN.
	rejects "$SYSFS_BCACHE/register_dev" "$u $DISK_other" "Device or resource busy"
	rejects "$SYSFS_BCACHE/register_dev" "$(bch_new_uuid) $DISK_hdd" "Device or resource busy"
	rejects "$SYSFS_BCACHE/register_dev" "$(bch_new_uuid) $bc" "Invalid argument"
	rejects "$SYSFS_BCACHE/register_cache" "$bc" "Invalid argument"
	# Garbage into per-device attributes.
	rejects "/sys/block/${bc##*/}/bcache/cache_mode" "writeback-ish" "Invalid argument"
	rejects "/sys/block/${bc##*/}/bcache/sequential_cutoff" "lots" "Invalid argument"

	n1=$(dmesg | grep -c 'bcache: ')
	[ $((n1 - n0)) -ge 19 ] || fail "expected a pr_err per rejected write ($((n1 - n0)) lines)"
	# Other formats of the uuid work.
	bch_stop_dev "$bc"
	bc=$(bch_register_dev "$(echo "$u" | tr -d '-' | tr 'a-f' 'A-F')" "$DISK_hdd")
	bch_stop_dev "$bc"
	bch_unregister_cache "$DISK_ssd"
}
