# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="make-bcache refuses images with signatures (ext4, partition table, swap, own) unless --wipe"
TEST_GROUPS="quick tools"
HOST=1
TIMEOUT=120

requires()
{
	_have_program blkid mkfs.ext4 mkswap sha256sum
}

# dos_label IMG: an MBR with one Linux partition (sfdisk may be missing).
dos_label()
{
	printf '\x00\x20\x21\x00\x83\xfe\xff\xff\x00\x08\x00\x00\x00\xf8\x03\x00' |
		dd of="$1" bs=1 seek=446 conv=notrunc status=none
	printf '\x55\xaa' | dd of="$1" bs=1 seek=510 conv=notrunc status=none
}

# refuse IMG WHAT: make-bcache must fail naming the image and WHAT, and
# leave the image byte for byte as it was.
refuse()
{
	local img=$1 what=$2 before after err

	before=$(sha256sum < "$img")
	if err=$("$TOOLS/make-bcache" -C "$img" 2>&1); then
		fail "formatted an image holding $what without --wipe"
	fi
	echo "$err"
	[[ $err == *"$img"* ]] || fail "message does not name the image: $err"
	[[ $err == *"$what"* ]] || fail "message does not mention $what: $err"
	[[ $err == *--wipe* ]] || fail "message does not mention --wipe: $err"
	after=$(sha256sum < "$img")
	expect_eq "$after" "$before" "image contents after a refusal"
}

test()
{
	local img=$TMPDIR/disk.img out=$TMPDIR/out

	truncate -s 128M "$img"
	mkfs.ext4 -q -F -L keepme "$img"
	refuse "$img" ext4
	"$TOOLS/make-bcache" -C "$img" --wipe > "$out" || fail "--wipe failed on ext4"
	grep -q "erased ext4 signature" "$out" || fail "--wipe did not report erasing ext4"
	if blkid -p "$img"; then
		fail "blkid still finds a signature after --wipe"
	fi
	"$TOOLS/bcache-super-show" "$img" > /dev/null || fail "not valid after --wipe"

	# Our own superblock counts too.
	refuse "$img" "already a bcache cache device"

	# A partition table.
	rm -f "$img"
	truncate -s 128M "$img"
	dos_label "$img"
	refuse "$img" "dos partition table"
	"$TOOLS/make-bcache" -C "$img" --wipe --quiet || fail "--wipe failed on dos"
	if blkid -p "$img"; then
		fail "partition table survived --wipe"
	fi

	# A GPT label (with its backup at the end of the device).
	if command -v sfdisk > /dev/null; then
		rm -f "$img"
		truncate -s 128M "$img"
		echo 'label: gpt
,,L' | sfdisk -q "$img"
		refuse "$img" "gpt partition table"
		"$TOOLS/make-bcache" -C "$img" --wipe --quiet ||
			fail "--wipe failed on gpt"
		if blkid -p "$img"; then
			fail "gpt survived --wipe"
		fi
		"$TOOLS/probe-bcache" -o udev "$img" |
			grep -qx "ID_FS_TYPE=bcache_ssd" ||
			fail "probe does not see the reformatted gpt image"
	else
		echo "sfdisk not installed: GPT case not run"
	fi

	# Swap.
	rm -f "$img"
	truncate -s 128M "$img"
	mkswap -q "$img"
	refuse "$img" swap
	"$TOOLS/make-bcache" -C "$img" --wipe --quiet || fail "--wipe failed on swap"
	if blkid -p "$img"; then
		fail "swap survived --wipe"
	fi

	# A filesystem made on top of our device later wins: probe ignores us.
	mkfs.ext4 -q -F "$img"
	"$TOOLS/probe-bcache" -o udev "$img" > "$out"
	[ ! -s "$out" ] || fail "probe-bcache claims an ext4 image: $(cat "$out")"
}
