# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="bcache-fsck: usage errors exit 16, unreadable or non-bcache input exits 8, a fresh image is clean, damaged metadata exits 4, and nothing is ever written"
TEST_GROUPS="quick tools"
HOST=1
TIMEOUT=120

# rc WANT PATTERN ARGS...: bcache-fsck must exit WANT and print PATTERN.
rc()
{
	local want=$1 pat=$2 out st=0

	shift 2
	out=$("$TOOLS/bcache-fsck" "$@" 2>&1) || st=$?
	echo "bcache-fsck $* -> $st"
	echo "$out" | tail -n 3
	[ "$st" -eq "$want" ] || fail "bcache-fsck $*: exit $st, expected $want"
	[[ $out == *"$pat"* ]] || fail "bcache-fsck $*: expected '$pat' in: $out"
}

# flip FILE OFFSET: invert one byte.
flip()
{
	local v

	v=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	# shellcheck disable=SC2059
	printf "$(printf '\\%03o' $((v ^ 0xff)))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# field TYPE INDEX N: field N of a --layout line.
field()
{
	"$TOOLS/bcache-fsck" --layout "$TMPDIR/d.img" 2>/dev/null |
		awk -v t="$1" -v i="$2" -v n="$3" '$1 == t && $2 == i { print $n }'
}

test()
{
	local img=$TMPDIR/c.img sum sector

	truncate -s 80M "$img"
	"$TOOLS/make-bcache" -C "$img" --quiet --bucket 64k

	# Usage errors.
	rc 16 "no device given"
	rc 16 "unexpected argument" "$img" "$img"
	rc 16 "unknown option --bogus" --bogus "$img"
	rc 16 "unknown option -x" -x "$img"
	rc 0 "Usage: bcache-fsck" --help

	# Operational errors.
	rc 8 "No such file or directory" "$TMPDIR/nonexistent"
	rc 8 "not a block device or regular file" "$TMPDIR"
	: > "$TMPDIR/empty.img"
	rc 8 "too small to hold a superblock" "$TMPDIR/empty.img"
	truncate -s 16M "$TMPDIR/zero.img"
	rc 8 "not a bcache cache device" "$TMPDIR/zero.img"
	cp "$img" "$TMPDIR/d.img"
	flip "$TMPDIR/d.img" $((4096 + 300))
	rc 8 "invalid superblock: superblock checksum mismatch" "$TMPDIR/d.img"
	cp "$img" "$TMPDIR/d.img"
	truncate -s 40M "$TMPDIR/d.img"
	rc 8 "invalid superblock: device is smaller than the superblock says" "$TMPDIR/d.img"

	# A fresh image is clean, and checking it writes nothing.
	sum=$(sha256sum < "$img")
	rc 0 "c.img: clean: 1 nodes, 0 keys, 0 live extents (0 sectors), 0 stale, 1 buckets used, journal seq 1..1 (clean shutdown), 0 errors, 0 warnings" "$img"
	rc 0 "btree node at bucket" -v "$img"
	expect_eq "$(sha256sum < "$img")" "$sum" "image after bcache-fsck"
	cp "$img" "$TMPDIR/d.img"
	expect_eq "$(field sb 0 3)" 8 "superblock sector in --layout"
	expect_eq "$(field uuid 1 5)" "slot=B" "second uuid line"

	# The only valid uuid slot damaged: the kernel would refuse the cache.
	sector=$(field uuid 0 3)
	flip "$TMPDIR/d.img" $((sector * 512 + 1000))
	rc 4 "error: uuid table: no valid copy" "$TMPDIR/d.img"

	# The only prio copy of page 0 damaged.
	cp "$img" "$TMPDIR/d.img"
	sector=$(field prio 0 3)
	flip "$TMPDIR/d.img" $((sector * 512 + 100))
	rc 4 "error: prio page 0: no valid copy" "$TMPDIR/d.img"

	# The only journal entry damaged.
	cp "$img" "$TMPDIR/d.img"
	sector=$(field journal 0 3)
	flip "$TMPDIR/d.img" $((sector * 512 + 16))
	rc 4 "error: journal: no valid entry" "$TMPDIR/d.img"

	# The root node's only bset damaged.
	cp "$img" "$TMPDIR/d.img"
	sector=$(field btree 0 3)
	flip "$TMPDIR/d.img" $((sector * 512 + 16))
	rc 4 "error: btree node at bucket" "$TMPDIR/d.img"
	rc 4 "INCONSISTENT" "$TMPDIR/d.img"
}
