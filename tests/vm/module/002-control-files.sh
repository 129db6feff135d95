# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="register_cache and register_dev exist, are write-only, and reject garbage with an errno"
TEST_GROUPS="quick"
TIMEOUT=120

test()
{
	local f mode

	load_module
	for f in register_cache register_dev; do
		[ -f "$SYSFS_BCACHE/$f" ] || fail "$SYSFS_BCACHE/$f missing"
		mode=$(stat -c %a "$SYSFS_BCACHE/$f")
		expect_eq "$mode" 200 "mode of $f"
		expect_fail cat "$SYSFS_BCACHE/$f"
		# A write must never pretend to succeed on garbage.
		expect_fail sysfs_write "$SYSFS_BCACHE/$f" "/nonexistent/device"
	done
	dmesg | grep -q 'bcache: register_' || fail "no pr_err for the rejected writes"
	unload_module
}
