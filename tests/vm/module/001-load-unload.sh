# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="the module loads, creates /sys/kernel/bcache and unloads cleanly, repeatedly"
TEST_GROUPS="quick"
TIMEOUT=120

test()
{
	local i

	for i in 1 2 3; do
		load_module
		[ -d /sys/kernel/bcache ] || fail "/sys/kernel/bcache missing after insmod"
		grep -q '^bcache ' /proc/modules || fail "bcache not in /proc/modules"
		rmmod bcache
		[ ! -e /sys/kernel/bcache ] || fail "/sys/kernel/bcache left behind after rmmod"
	done
	dmesg | grep -q 'bcache: loaded' || fail "no load message in the kernel log"
}
