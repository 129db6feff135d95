# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="replay-log-writes: lists, finds the crash points of and replays a hand-made dm-log-writes log; rejects bad logs"
TEST_GROUPS="quick tools crash"
HOST=1
TIMEOUT=120

RLW=$REPO/tests/tools/replay-log-writes

requires()
{
	[ -x "$RLW" ] || skip "tests/tools/replay-log-writes is not built (run make)"
}

# le N BYTES: N as BYTES little-endian bytes.
le()
{
	local n=$1 i

	for ((i = 0; i < $2; i++)); do
		# shellcheck disable=SC2059
		printf "\\$(printf %03o $(((n >> (8 * i)) & 255)))"
	done
}

# pad BYTES: zeroes up to the end of a 512-byte sector of BYTES bytes.
pad()
{
	head -c $((512 - $1)) /dev/zero
}

# super NR_ENTRIES [MAGIC]
super()
{
	le "${2:-0x6a736677736872}" 8
	le 1 8
	le "$1" 8
	le 512 4
	pad 28
}

# entry SECTOR NR_SECTORS FLAGS [MARK | DATA-CHAR]: a header sector, then
# NR_SECTORS sectors of DATA-CHAR (not for marks and discards).
entry()
{
	local mark=

	[ $(($3 & 8)) -ne 0 ] && mark=${4:-}
	le "$1" 8
	le "$2" 8
	le "$3" 8
	le ${#mark} 8
	printf '%s' "$mark"
	pad $((32 + ${#mark}))
	if [ -z "$mark" ] && [ $(($3 & 4)) -eq 0 ] && [ "$2" -gt 0 ]; then
		head -c $(($2 * 512)) /dev/zero | tr '\0' "$4"
	fi
}

# The example of Documentation/admin-guide/device-mapper/log-writes.rst,
# with a FUA write, a discard and an unflushed tail.
good_log()
{
	super 8
	entry 0 1 0 A		# 0: write
	entry 1 2 0 B		# 1: write
	entry 0 0 1		# 2: flush
	entry 0 0 8 m1		# 3: mark
	entry 0 1 2 C		# 4: FUA write
	entry 1 1 4		# 5: discard
	entry 3 1 0 D		# 6: write, never flushed
	entry 0 0 8 dm-log-writes-end
}

# sector FILE N: the first byte of sector N, as a character ("0" for zero).
sector()
{
	dd if="$1" bs=512 skip="$2" count=1 status=none | head -c 1 | tr '\0' 0
}

# bad PATTERN ARGS...: the replayer must fail and say PATTERN.
bad()
{
	local pat=$1 err

	shift
	if err=$("$RLW" "$@" 2>&1); then
		fail "replay-log-writes $* succeeded"
	fi
	[[ $err == *"$pat"* ]] || fail "replay-log-writes $*: expected '$pat' in: $err"
}

test()
{
	local log=$TMPDIR/log t=$TMPDIR/target out rc

	good_log > "$log"
	expect_eq "$("$RLW" info "$log")" \
		"entries 8 sectorsize 512 writes 4 flushes 1 fua 1 discards 1 marks 2 bytes 2560" "info"
	expect_eq "$("$RLW" list "$log" | sed -n '2p;4p;5p;6p')" \
		$'1 write 512 1024\n3 mark 0 0 m1\n4 fua 0 512\n5 discard 512 512' "list"
	# The flush with its mark, the FUA write, the unflushed tail.
	expect_eq "$("$RLW" points "$log")" \
		$'3 flush 2 m1\n5 fua 1 -\n7 mark 2 dm-log-writes-end' "points"

	truncate -s 2048 "$t"
	"$RLW" replay --to-mark m1 "$log" "$t"
	expect_eq "$(sector "$t" 0)$(sector "$t" 1)$(sector "$t" 2)$(sector "$t" 3)" ABB0 "state at the flush"
	"$RLW" replay --from 3 --to 5 "$log" "$t"
	expect_eq "$(sector "$t" 0)$(sector "$t" 1)" CB "state at the FUA write"
	cp "$t" "$t.skip"
	"$RLW" replay --from 5 "$log" "$t"
	expect_eq "$(sector "$t" 0)$(sector "$t" 1)$(sector "$t" 2)$(sector "$t" 3)" C0BD "whole log, discard zeroes"
	"$RLW" replay --discard skip --from 5 "$log" "$t.skip"
	expect_eq "$(sector "$t.skip" 1)" B "whole log, discard skipped"

	# compare: same, different (exit 1 and the block named), error.
	head -c 8192 /dev/urandom > "$TMPDIR/a"
	cp "$TMPDIR/a" "$TMPDIR/b"
	"$RLW" compare "$TMPDIR/a" "$TMPDIR/b" || fail "compare: equal files differ"
	printf x | dd of="$TMPDIR/b" bs=1 seek=5000 conv=notrunc status=none
	rc=0
	out=$("$RLW" compare "$TMPDIR/a" "$TMPDIR/b") || rc=$?
	expect_eq "$rc" 1 "compare: exit status for a difference"
	[[ $out == *"differ: bytes 4096..8191"* ]] || fail "compare: $out"
	"$RLW" compare --length 4096 "$TMPDIR/a" "$TMPDIR/b" || fail "compare --length"

	# Bad logs and bad arguments.
	super 8 0x1234 > "$TMPDIR/bad"
	bad "not a dm-log-writes log" info "$TMPDIR/bad"
	{ super 1; entry 0 1 64 A; } > "$TMPDIR/bad"
	bad "unknown flags" list "$TMPDIR/bad"
	{ super 3; entry 0 1 0 A; } > "$TMPDIR/bad"
	bad "beyond the end of the log" points "$TMPDIR/bad"
	{ super 1; entry 0 0 0; } > "$TMPDIR/bad"
	bad "empty write that is not a flush" list "$TMPDIR/bad"
	{ super 1; entry 8 1 0 A; } > "$TMPDIR/bad"
	bad "beyond the end of $t" replay "$TMPDIR/bad" "$t"
	bad "no mark named" replay --to-mark nope "$log" "$t"
	bad "beyond the 8 entries" replay --to 9 "$log" "$t"
	bad "unknown command" frobnicate "$log"
	bad "wrong number of arguments" replay "$log"
	bad "option not valid" list --from 1 "$log"
	bad "not a number" replay --from x "$log" "$t"
	bad "expected zero or skip" replay --discard maybe "$log" "$t"
	bad "$TMPDIR/nope" info "$TMPDIR/nope"
}
