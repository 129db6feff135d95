# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="the harness fails deliberately broken tests: bad status, kernel WARNING, hang"
TEST_GROUPS="quick"
HOST=1
TIMEOUT=600

requires()
{
	_have_program qemu-system-x86_64
	[ -e "$REPO/tests/kmod/bcache_test_warn.ko" ] || skip "tests/kmod not built (make)"
}

test()
{
	local f name out

	for f in "$REPO"/tests/fixtures/*.sh; do
		name=${f##*/}
		name=${name%.sh}
		out=$(BCACHE_RESULTS="$TMPDIR/results" "$REPO/tests/run" --fixtures "$name" 2>&1) &&
			fail "fixture $name passed: $out"
		echo "$out"
		grep -q "^FAIL  fixtures/$name" <<< "$out" || fail "fixture $name not reported as FAIL"
		grep -q '^0 passed, 1 failed, 0 skipped$' <<< "$out" || fail "bad summary for $name"
	done
	# The WARNING fixture must fail because of the kernel log, not its status.
	grep -q 'WARNING:.*bcache_test_warn' "$TMPDIR/results/stock/fixtures/kernel-warn/klog-bad" ||
		fail "kernel-warn did not fail on the WARNING line"
}
