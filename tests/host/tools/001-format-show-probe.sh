# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="make-bcache formats an image; super-show validates it; probe prints udev vars"
TEST_GROUPS="quick tools"
HOST=1
TIMEOUT=120

requires()
{
	_have_program blkid
}

# field NAME FILE: the value of "NAME: value" in bcache-super-show output.
field()
{
	sed -n "s/^$1: *\([^ ]*\).*/\1/p" "$2" | head -n 1
}

test()
{
	local img=$TMPDIR/cache.img out=$TMPDIR/out uuid

	truncate -s 1G "$img"
	"$TOOLS/make-bcache" -C "$img" --label "my cache" > "$out" ||
		fail "make-bcache failed on a blank image"
	grep -q "formatted as a bcache cache device" "$out" || fail "no summary"
	expect_eq "$(field block_size "$out")" 8 "block size (sectors)"
	expect_eq "$(field bucket_size "$out")" 1024 "bucket size (sectors)"
	expect_eq "$(field nbuckets "$out")" 2046 "bucket count"
	expect_eq "$(field uuid_bucket "$out")" 2 "uuid area start"
	expect_eq "$(field prio_bucket "$out")" 3 "prio area start"
	expect_eq "$(field journal_bucket "$out")" 4 "journal start"
	expect_eq "$(field journal_buckets "$out")" 15 "journal size"
	expect_eq "$(field data_bucket "$out")" 19 "data start"
	grep -q '^  btree+data  *buckets 19\.\.2045 (2027)' "$out" ||
		fail "layout summary lacks the data area"
	uuid=$(field uuid "$out")
	[[ $uuid =~ ^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$ ]] ||
		fail "bad uuid '$uuid'"

	"$TOOLS/bcache-super-show" "$img" > "$out" || fail "super-show rejects a fresh image"
	grep -q '^superblock: *valid$' "$out" || fail "super-show does not say valid"
	expect_eq "$(field uuid "$out")" "$uuid" "uuid shown"
	grep -q '^label: *"my cache"$' "$out" || fail "label not shown"
	grep -q '^uuid table: *slot A, seq 1, 0 backing devices$' "$out" || fail "uuid table"
	grep -q '^prio pages: *3 pages valid$' "$out" || fail "prio pages"
	grep -q '^journal: .*newest seq 1 (clean)$' "$out" || fail "journal"
	grep -q '^btree root: *bucket 19, level 0$' "$out" || fail "btree root"

	"$TOOLS/probe-bcache" -o udev "$img" > "$out" || fail "probe-bcache failed"
	grep -qx "ID_FS_TYPE=bcache_ssd" "$out" || fail "no ID_FS_TYPE=bcache_ssd"
	grep -qx "ID_FS_UUID=$uuid" "$out" || fail "wrong ID_FS_UUID"
	grep -qx "ID_FS_UUID_ENC=$uuid" "$out" || fail "wrong ID_FS_UUID_ENC"
	grep -qx "ID_FS_LABEL=my_cache" "$out" || fail "wrong ID_FS_LABEL"
	grep -qx 'ID_FS_LABEL_ENC=my\\x20cache' "$out" || fail "wrong ID_FS_LABEL_ENC"
	! grep -qx "ID_FS_TYPE=bcache" "$out" || fail "claimed to be in-tree bcache"
	"$TOOLS/probe-bcache" "$img" | grep -q "TYPE=\"bcache_ssd\"" ||
		fail "human probe output"

	# libblkid must neither call it (in-tree) bcache nor anything else.
	if blkid -p -o udev "$img" > "$out"; then
		cat "$out"
		fail "blkid recognises our image"
	fi
	! grep -q 'TYPE=.*bcache' "$out" || fail "blkid reports bcache"

	# A different geometry, and --discard on a file (hole punching).
	truncate -s 64M "$img"
	"$TOOLS/make-bcache" -C "$img" --wipe --discard --bucket 64k --block 1k \
		--journal 8 > "$out" || fail "make-bcache with explicit sizes"
	expect_eq "$(field bucket_size "$out")" 128 "explicit bucket size"
	expect_eq "$(field block_size "$out")" 2 "explicit block size"
	expect_eq "$(field journal_buckets "$out")" 8 "explicit journal size"
	grep -q '^flags: *0x1 (discard)$' "$out" || fail "discard flag not set"
	"$TOOLS/bcache-super-show" "$img" > /dev/null || fail "64k-bucket image invalid"
	"$TOOLS/make-bcache" -C "$img" --wipe --quiet --bucket 64k > "$out" ||
		fail "--quiet failed"
	[ ! -s "$out" ] || fail "--quiet printed something"
}
