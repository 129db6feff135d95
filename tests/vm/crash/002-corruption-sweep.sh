# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="corruption sweep: each metadata structure of a used cache, damaged in turn, is refused with a message or dropped; reads stay right"
TEST_GROUPS="crash"
TIMEOUT=360
DISKS="ssd:8M hdd:4M img:16M"
MEM=1024

# A used cache image (a clean one, and a crash-consistent copy taken while
# it was registered) is damaged by tests/tools/bch-damage, one structure and
# one mode at a time, and registered. Registration must either fail with an
# errno and a pr_err naming the problem, or succeed; then every byte read
# through /dev/bcacheN must be the backing device's (which is never
# damaged), rewriting a range must work, GC must finish a pass and the cache
# must unregister. The harness fails the test on any oops, KASAN or lockdep
# report. bcache-fsck, if built, must survive every image and flag those
# the kernel refused.
#
# Coverage: every structure type, several instances of each (both copies of
# the A/B structures, old and newest journal entries of both images, root,
# interior and leaf bsets, first and appended ones). flip, zero and badcsum
# rotate over the instances; every variant of every crafted mode runs once,
# on an instance that rotates too. The plan runs in rounds (round 0 has one
# image of every type and mode) until it is done or the time budget (the
# TIMEOUT less a reserve) is spent; the output says how much was left.
#
# The pristine images stay on the "img" disk (clean at 0, crash at 8M): a
# failing combination is reproduced from the kept img.img with
#   dd if=img.img of=x.img bs=1M count=8 [skip=8]
#   tests/tools/bch-damage x.img TYPE INDEX MODE SEED
# (the output line of each image gives the arguments).

DAMAGE=$REPO/tests/tools/bch-damage
FSCK=$REPO/tools/make-bcache/bcache-fsck
REG_TIMEOUT=120
IMG_MB=8

requires()
{
	_have_program fio sha256sum timeout
	[ -x "$DAMAGE" ] || skip "tests/tools/bch-damage is not built (run make)"
}

# ---- building the images ----------------------------------------------------

# sweep_workload BCACHEDEV CACHEDIR: several btree levels, a journal that
# wrapped, reclaimed buckets (bumped gens), GC passes, invalidations, and
# most of the device cached in whole 32k windows.
sweep_workload()
{
	local bc=$1 cdir=$2

	fio --name=w1 --filename="$bc" --direct=1 --ioengine=psync --rw=randwrite \
		--bssplit=4k/30:8k/30:32k/40 --io_size=8M --refill_buffers \
		--randrepeat=0 --fsync=16 --output=/dev/null
	bch_gc "$cdir"
	# Sequential, past the cutoff: bypasses the cache, invalidates.
	bch_sys_write "$bc" sequential_cutoff 512k
	fio --name=seq --filename="$bc" --direct=1 --ioengine=psync --rw=write --bs=128k \
		--offset=1M --size=1536k --refill_buffers --output=/dev/null
	fio --name=r --filename="$bc" --direct=1 --ioengine=psync --rw=randread --bs=32k \
		--io_size=8M --randrepeat=0 --output=/dev/null
	# Recent inserts and invalidations, still in the journal at the crash.
	fio --name=w2 --filename="$bc" --direct=1 --ioengine=psync --rw=randwrite --bs=4k \
		--io_size=512k --refill_buffers --randrepeat=0 --fsync=8 --output=/dev/null
}

# sweep_writes DEV: completed write requests of a block device.
sweep_writes()
{
	awk -v d="${1##*/}" '$3 == d { print $8 }' /proc/diskstats
}

# build_images: the clean and the crash image on $DISK_img (and as files in
# $W), both describing the data now on $DISK_hdd. The crash copy is taken
# while the cache's I/O is frozen by a dm-linear suspend (in-flight writes
# complete, new ones wait): exactly what a power cut then would leave.
build_images()
{
	local cache=$DISK_ssd dm='' bc cdir w0 w1 i

	if modprobe dm_mod 2>/dev/null && command -v dmsetup >/dev/null; then
		dmsetup create --noudevsync bct-sweep \
			--table "0 $(blockdev --getsz "$DISK_ssd") linear $DISK_ssd 0"
		dmsetup mknodes bct-sweep
		cache=/dev/mapper/bct-sweep
		dm=1
	fi
	bch_format "$cache" --bucket 4k --block 512
	dd if=/dev/urandom of="$DISK_hdd" bs=1M count=$(($(blockdev --getsize64 "$DISK_hdd") >> 20)) \
		oflag=direct status=none
	bch_register_cache "$cache"
	cdir=$(bch_cache_dir "$cache")
	bc=$(bch_register_dev "$UUID" "$DISK_hdd")
	sweep_workload "$bc" "$cdir"
	sync "$bc"
	if [ -n "$dm" ]; then
		dmsetup suspend --noudevsync bct-sweep
		dd if="$DISK_ssd" of="$DISK_img" bs=1M seek="$IMG_MB" iflag=direct oflag=direct \
			status=none
		dmsetup resume --noudevsync bct-sweep
	else
		echo "note: no dm_mod: the crash copy is taken once the cache is idle"
		for i in $(seq 60); do
			w0=$(sweep_writes "$DISK_ssd")
			sleep 3
			w1=$(sweep_writes "$DISK_ssd")
			[ "$w0" != "$w1" ] || break
		done
		dd if="$DISK_ssd" of="$DISK_img" bs=1M seek="$IMG_MB" iflag=direct oflag=direct \
			status=none
	fi
	echo "built: $(cat "$cdir/btree_nodes") btree nodes, depth $(cat "$cdir/btree_depth")," \
		"$(cat "$cdir/gc_runs") GC runs, $(cat "$cdir/buckets_used") buckets used"
	# The backing device stays registered for the whole sweep: each cache
	# that registers attaches it, each unregister leaves it in passthrough.
	bch_unregister_cache "$cache"
	[ "$(bch_sys "$bc" cache)" = none ] || fail "device still attached after unregister"
	dd if="$DISK_ssd" of="$DISK_img" bs=1M iflag=direct oflag=direct status=none
	[ -z "$dm" ] || wait_for 30 dmsetup remove --noudevsync bct-sweep
	dd if="$DISK_img" of="$W/clean.img" bs=1M count="$IMG_MB" iflag=direct status=none
	dd if="$DISK_img" of="$W/crash.img" bs=1M count="$IMG_MB" skip="$IMG_MB" iflag=direct \
		status=none
	BC=$bc
}

# ---- choosing what to damage ------------------------------------------------

# pick TAG: "TAG TYPE INDEX USED" of the instances to damage in $W/TAG.img:
# of the clean image every type; of the crash image the newest copies, the
# journal entries replay needs and the btree. USED is 1 for a structure
# the kernel reads and trusts (the newest A/B copy, a journal entry replay
# needs, a reachable bset), 0 for one it may ignore.
pick()
{
	"$DAMAGE" "$W/$1.img" list | awk -v tag="$1" '
	function kv(k,   i, a) {
		for (i = 5; i <= NF; i++)
			if (split($i, a, "=") == 2 && a[1] == k)
				return a[2]
		return ""
	}
	function has(f,   i) {
		for (i = 5; i <= NF; i++)
			if ($i == f)
				return 1
		return 0
	}
	BEGIN { full = tag == "clean" }
	$1 == "sb" && full { print tag, "sb", $2, 1 }
	$1 == "uuid" && full { print tag, "uuid", $2, has("newest") }
	$1 == "prio" {
		if (kv("page") + 0 == 0 && full)
			print tag, "prio", $2, has("newest")
		if (has("newest")) { lastp = kv("page") + 0; lastp_i = $2 }
	}
	$1 == "jset" {
		nj++; jidx[nj] = $2; jseq[nj] = kv("seq"); jrep[nj] = has("replay")
		if (has("newest")) { newest = $2; want = kv("last_seq") }
	}
	$1 == "bset" {
		lvl = kv("level") + 0; idx = kv("idx") + 0
		if (has("root") && idx == 0 && root == "") root = $2
		if (lvl == 0 && !has("root") && idx == 0 && leaf0 == "") leaf0 = $2
		if (lvl == 0 && idx > 0) leafn = $2
		if (idx > 0) lastn = $2
		if (lvl > 0 && !has("root") && inner == "") inner = $2
	}
	END {
		if (lastp > 0 || !full) print tag, "prio", lastp_i, 1
		if (newest != "") print tag, "jset", newest, 1
		for (i = 1; i <= nj; i++)
			if (jseq[i] == want && jidx[i] != newest) { print tag, "jset", jidx[i], 1; wi = i }
		mid = int((nj + 1) / 2)
		if (full && mid >= 1 && jidx[mid] != newest && mid != wi)
			print tag, "jset", jidx[mid], jrep[mid]
		if (root != "") print tag, "bset", root, 1
		if (leafn != "") print tag, "bset", leafn, 1
		# torn is meant for the last bset of a node, not its first.
		if (lastn != "") print tag, "torn", lastn, 1
		if (full && leaf0 != "") print tag, "bset", leaf0, 1
		if (inner != "") print tag, "bset", inner, 1
	}'
}

# plan: "TAG TYPE INDEX MODE SEED USED" lines. flip, zero and badcsum rotate over
# the instances of a type (all three on at least one); each variant of a
# crafted mode runs once (the seed selects the variant), on instances that
# rotate with the mode. Ordered by round: the k-th instance or variant of
# every (type, mode) before any k+1-th.
plan()
{
	plan_rounds | sort -s -n -k1,1 | cut -d' ' -f2-
}

plan_rounds()
{
	local type mode nv k n m=0 g=0 tag idx used
	local -a inst

	for type in sb uuid prio jset bset; do
		mapfile -t inst < <(awk -v t="$type" '$2 == t { print $1, $3, $4 }' "$W/picked")
		n=${#inst[@]}
		[ "$n" -gt 0 ] || continue
		while read -r mode nv; do
			m=$((m + 1))
			case $mode in
			torn)
				# Both variants on every picked last bset.
				awk '$2 == "torn" { print $1, $3, $4 }' "$W/picked" |
				while read -r tag idx used; do
					for ((k = 0; k < nv; k++)); do
						echo "$k $tag bset $idx torn $k $used"
					done
				done
				;;
			flip | zero | badcsum)
				for k in "${!inst[@]}"; do
					[ $(((k + g) % 3)) -eq 0 ] || [ "$k" -eq 0 ] || continue
					read -r tag idx used <<< "${inst[$k]}"
					echo "$k $tag $type $idx $mode $((k + 1)) $used"
				done
				g=$((g + 1))
				;;
			*)
				for ((k = 0; k < nv; k++)); do
					read -r tag idx used <<< "${inst[$(((k + m) % n))]}"
					echo "$k $tag $type $idx $mode $k $used"
				done
				;;
			esac
		done < <("$DAMAGE" --modes "$type")
	done
}

# ---- one image ----------------------------------------------------------------
#
# Under TCG every exec costs a good fraction of a second: the loop below
# runs as few programs as it can (sysfs reads and writes are builtins).

# klog_line N REGEX: the first kernel log line after marker N that matches
# REGEX (raw: "<level>[time] text"); status 1 if there is none.
klog_line()
{
	dmesg -r | awk -v m="bct-sweep: #$1 " -v re="$2" '
		index($0, m) { p = 1; next }
		p && !found && $0 ~ re { print; found = 1 }
		END { exit !found }'
}

DROP_RE='dropped|unreadable|empty cache|refused|changed while|no valid copy'

# bad WHAT: one image failed a check. The sweep goes on (the cache is
# unregistered as usual) and the test fails at the end, listing them all.
bad()
{
	echo "FAIL: $*"
	NFAIL=$((NFAIL + 1))
	FAILED+=("${*%%:*}")
}

# hits: cache hits of /dev/bcacheN so far, bypassed reads included.
hits()
{
	local d=/sys/block/${BC##*/}/bcache/stats_total a b

	a=$(< "$d/cache_hits")
	b=$(< "$d/cache_bypass_hits")
	echo $((a + b))
}

# check_reads WHAT: /dev/bcacheN reads the backing device's bytes; a range
# rewritten with the same bytes reads them back. Sets HITS (of the read).
check_reads()
{
	local h0 sum off

	h0=$(hits)
	sum=$(dd if="$BC" bs=32k iflag=direct status=none | sha256sum)
	HITS=$(($(hits) - h0))
	if [ "$sum" != "$REF" ]; then
		bad "$1: /dev/bcache data differs from the backing device"
		return 0
	fi
	off=$((NTRY % ${#CHUNK[@]}))
	dd if="$BC" of="$BC" bs=256k skip="$off" seek="$off" count=1 iflag=direct \
		oflag=direct conv=notrunc status=none
	sum=$(dd if="$BC" bs=256k skip="$off" count=1 iflag=direct status=none | sha256sum)
	[ "$sum" = "${CHUNK[$off]}" ] || bad "$1: a rewritten range reads back wrong"
	return 0
}

# try_image TAG [TYPE INDEX MODE SEED USED]: restore the TAG image, damage
# it, register it and check the outcome; counts into the N* globals. An
# image accepted without a word although the damaged structure is in use
# (USED) and fails the format validator is counted as "unreported".
try_image()
{
	local tag=$1 what out='' rc err dev=${DISK_ssd##*/} line frc='' t0 skip=0
	local cdir="$SYSFS_BCACHE/${DISK_ssd##*/}" start=$SECONDS

	[ "$tag" = clean ] || skip=$IMG_MB
	dd if="$DISK_img" of="$DISK_ssd" bs=1M count="$IMG_MB" skip="$skip" iflag=direct \
		oflag=direct status=none
	what="$tag ${2:-undamaged}${2:+ $3 $4 $5}"
	if [ -n "${2:-}" ]; then
		# (bch-damage drops the device's page cache before reading it.)
		if out=$("$DAMAGE" "$DISK_ssd" "$2" "$3" "$4" "$5" 2>&1); then
			out=${out//$'\n'/; }
		else
			rc=$?
			[ "$rc" -eq 3 ] || fail "bch-damage $what failed ($rc): $out"
			NNA=$((NNA + 1))
			return 0
		fi
	fi
	NTRY=$((NTRY + 1))
	what="#$NTRY $what"
	# The offline checker, on the very same bytes.
	if [ -n "$FSCK_OK" ]; then
		if "$FSCK" "$DISK_ssd" > "$W/fsck.out" 2>&1; then
			frc=0
		else
			frc=$?
		fi
		case $frc in
		0 | 4 | 8) ;;
		*) bad "$what: bcache-fsck exit $frc: $(tail -n 3 "$W/fsck.out")" ;;
		esac
		[ "$frc" = 0 ] || NFSCK=$((NFSCK + 1))
	fi

	echo "bct-sweep: $what" > /dev/kmsg
	t0=$SECONDS
	if err=$(timeout "$REG_TIMEOUT" bash -c 'printf "%s" "$1" > "$2"' _ \
		"$DISK_ssd" "$SYSFS_BCACHE/register_cache" 2>&1); then
		rc=0
	else
		rc=$?
	fi
	[ $((SECONDS - t0)) -le "$SLOWEST" ] || SLOWEST=$((SECONDS - t0))
	[ "$rc" -ne 124 ] || fail "$what: registration hung (> ${REG_TIMEOUT}s): $out"
	if [ "$rc" -ne 0 ]; then
		# Refused: an errno, and a pr_err that names the device.
		line=$(klog_line "$NTRY" "^<3>.*bcache: .*$dev") ||
			bad "$what: refused (${err##*: }) without a pr_err naming $dev"
		[ ! -d "$cdir" ] || fail "$what: refused, but $cdir exists"
		echo "$what: refused (${err##*: }): ${line#*bcache: }"
		NREJ=$((NREJ + 1))
		[ -n "${2:-}" ] || bad "$what: the undamaged image was refused"
		[ "$frc" != 0 ] || bad "$what: the kernel refused the image, bcache-fsck found nothing"
	else
		[ "$(< "/sys/block/${BC##*/}/bcache/cache")" = "$dev" ] ||
			echo "$what: note: the device did not attach"
		check_reads "$what"
		wait_for 60 attr_ge "$cdir/gc_runs" 1 ||
			fail "$what: GC did not finish a pass"
		echo 1 > "$cdir/unregister"
		wait_for 60 [ ! -e "$cdir" ] || fail "$what: unregister did not finish"
		if line=$(klog_line "$NTRY" "$DROP_RE"); then
			NDROP=$((NDROP + 1))
			echo "$what: accepted, $HITS hits; ${line#*bcache: }"
		elif [ "${6:-0}" = 1 ] && [[ $out == *"validator: rejects"* ]]; then
			NSILENT=$((NSILENT + 1))
			echo "$what: accepted, $HITS hits; damage to a structure in use unreported"
		else
			NACC=$((NACC + 1))
			echo "$what: accepted, $HITS hits"
		fi
		[ -n "${2:-}" ] || [ "$HITS" -gt 0 ] ||
			bad "$what: no cache hits on the undamaged image: the sweep would prove nothing"
	fi
	echo "    ${out:+$out }($((SECONDS - start))s)"
	return 0
}

test()
{
	local tag type idx mode seed used deadline left=0 i

	# Leave 45 s (90 on the debug kernel) for the end of the test.
	if [ -n "${DEBUG_TIER:-}" ]; then
		deadline=$((SECONDS + TIMEOUT * 4 - 90))
	else
		deadline=$((SECONDS + TIMEOUT - 45))
	fi
	load_module
	W=$(mktemp -d /tmp/sweep.XXXXXX)
	UUID=$(bch_new_uuid)
	NTRY=0 NREJ=0 NACC=0 NDROP=0 NSILENT=0 NNA=0 NFSCK=0 NFAIL=0 SLOWEST=0 HITS=0
	FAILED=()
	FSCK_OK=
	if [ -x "$FSCK" ]; then
		FSCK_OK=1
	else
		echo "note: $FSCK is not built: the bcache-fsck step is skipped"
	fi

	build_images
	REF=$(dd if="$DISK_hdd" bs=1M iflag=direct status=none | sha256sum)
	CHUNK=()
	for i in $(seq 0 $((($(blockdev --getsize64 "$DISK_hdd") >> 18) - 1))); do
		CHUNK+=("$(dd if="$DISK_hdd" bs=256k skip="$i" count=1 iflag=direct status=none |
			sha256sum)")
	done
	for tag in clean crash; do
		"$DAMAGE" "$W/$tag.img" list | awk -v t="$tag" '{ n[$1]++ }
			END { printf "%s image:", t; for (x in n) printf " %s %s", n[x], x; print "" }'
	done
	{ pick clean; pick crash; } > "$W/picked"
	plan > "$W/plan"
	echo "plan: $(wc -l < "$W/plan") damaged images"

	# The controls: the undamaged images register and hit.
	try_image clean
	try_image crash
	while read -r tag type idx mode seed used; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			left=$((left + 1))
			continue
		fi
		try_image "$tag" "$type" "$idx" "$mode" "$seed" "$used"
	done < "$W/plan"
	[ "$left" -eq 0 ] || echo "time budget spent: $left planned images not tried"

	# The backing device never got new data.
	expect_eq "$(dd if="$DISK_hdd" bs=1M iflag=direct status=none | sha256sum)" "$REF" \
		"backing device contents"
	bch_stop_dev "$BC"
	echo "images: $NTRY tried: $NREJ refused, $NDROP accepted with drops," \
		"$NSILENT accepted with the damage unreported, $NACC accepted (damage" \
		"unused or harmless); $NNA combinations not applicable;" \
		"slowest registration ${SLOWEST}s"
	[ -z "$FSCK_OK" ] || echo "bcache-fsck: $NFSCK of $NTRY images flagged"
	[ "$NFAIL" -eq 0 ] || fail "$NFAIL images failed: ${FAILED[*]}"
	rm -rf "$W"
}
