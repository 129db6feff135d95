# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The crash loop: write, kill the VM at a random moment, reboot on the same
# disks, check every acknowledged write; many times over.
#
# Setup (one boot): a 32 MiB cache in writethrough mode in front of two
# backing devices: /dev/bcache0 (raw) and /dev/bcache1 (ext4). Then each
# iteration is one boot that
#  1. runs bcache-fsck on the cache device, offline and read-only, BEFORE
#     registering it (skipped with a note while the tool does not exist);
#  2. registers the cache (journal replay) and both devices (same uuids);
#  3. verifies what the previous boot wrote before it was killed (below),
#     reading the raw regions twice: O_DIRECT, then buffered after dropping
#     caches, and requiring the same versions both times; mounts the ext4
#     (journal recovery), verifies, unmounts, and requires `e2fsck -fn`
#     to be clean;
#  4. in half of the iterations (and in the final boot): stops both
#     devices, unregisters the cache, registers everything again, and
#     requires every block to read the same as before (stable across a
#     re-register);
#  5. commits the versions it read as the new floor (an epoch), and starts
#     the load: two stamp writers on /dev/bcache0 and one on a file on the
#     ext4, each in a random mode (O_DIRECT|O_DSYNC, O_DIRECT + fdatasync
#     every few writes, buffered + fsync, buffered O_SYNC; BLKZEROOUT now and
#     then next to O_DIRECT), and fio writing new ext4 files with verify
#     headers, each ending with an fsync;
#  6. is killed with SIGKILL of QEMU from the host at a random moment: a
#     random time after the load started (4 in 10), after fio completed its
#     first file (4 in 10: fio takes seconds per file under TCG), or after
#     the boot started (2 in 10), so that the kill can also land in
#     registration, journal replay, verification or the re-register; the
#     next boot then verifies the same epoch again.
# A final boot verifies the last iteration, re-registers, shuts down cleanly
# (bcache-fsck after the clean stop, module unload, kmemleak on the debug
# kernel), and bcache-fsck checks the image on the host too.
#
# What is checked (the promise): after the crash and re-registration every
# block reads data never older than an acknowledged durable write (an
# O_DSYNC/O_SYNC write that completed, or a write followed by a completed
# fsync/fdatasync), never garbage or another block's data, and stable:
# the same on a second read, after dropping caches and after a re-register.
#
# Why our own writer (tests/tools/stampio) and not only fio: fio saves its
# verify state (verify_state_save) when it exits, and a VM killed from the
# outside never lets it. fio's client/server trigger (--trigger*) saves the
# state on request, but the server first terminates its jobs and then runs
# the trigger command, so the crash would come at a moment fio chose, with
# the load stopped, not at a random moment under load. stampio appends an
# intent record before each write and a durable record after each
# O_DSYNC write or fsync to a log on the 9p state share, which is on the
# host when write(2) returns; each 512-byte unit carries (run, unit, seq)
# and a payload derived from them, so the verifier knows every version that
# may be in a unit and which one it must at least be. fio covers its part
# of the letter on the ext4: one fio run writes new files, one job after the
# other (O_DIRECT, O_SYNC, buffered, fdatasync every few writes; each job
# ending with an fsync), and each job's exec_postrun appends the file's
# name to the state share; every file so acknowledged must then pass fio's
# --verify_only.
#
# Process creation is slow under TCG, so the guest side uses bash builtins
# where it can (read instead of cat, no polling helpers that fork).
#
# The disks use cache=unsafe: QEMU ignores flushes, but killing QEMU loses
# nothing that reached it, so the model is "every write that completed in
# the guest survives". The verifier holds bcache to that too (--strict):
# an O_DIRECT write that completed, even before its fdatasync, must not be
# shadowed by older cached data after the crash (bcache.h, rule 3: an
# invalidation is durable before the backing write is issued). Lost
# volatile writes on a power cut are tested elsewhere with dm-log-writes.
#
# Knobs: CRASH_ITERATIONS (default 20, 4 on the debug kernel; e.g. 500 for a
# long run), CRASH_SEED (printed at the start; replays the same choices of
# modes, seeds and kill delays, though TCG timing differs run to run).
DESCRIPTION="crash loop: kill the VM at random moments under raw and ext4 load; every acknowledged durable write survives, never garbage, stable; bcache-fsck and e2fsck clean"
TEST_GROUPS="crash"
HOST_VM=1
DISKS="ssd:32M hdd:64M fs:64M"
MEM=1024
# Generous for a loaded host: ~15 s an iteration on an idle 2-core one.
TIMEOUT=$((${CRASH_ITERATIONS:-20} * 120 + 300))

STAMPIO=$REPO/tests/tools/stampio
MIB=$((1 << 20))

requires()
{
	_have_program qemu-system-x86_64 fio mkfs.ext4 e2fsck
	[ -x "$STAMPIO" ] || skip "tests/tools/stampio is not built (make)"
}

# ---- guest side ---------------------------------------------------------------

# The raw regions on /dev/bcache0 and the file on the ext4:
# name offset units max align zero%
REGIONS="a 0 8192 128 1 5
b $((16 * MIB)) 8192 256 8 5
rw 0 8192 128 8 0"
MODES=(dsync direct buffered osync)
FIO_MODES=("direct=1" "sync=1" "fdatasync=4" "buffered=1")
FIO_RW=(write randwrite)
MNT=/mnt/crash

# say MSG: a line of output stamped with the guest's uptime.
say()
{
	local up _

	read -r up _ < /proc/uptime
	printf '[%7s] %s\n' "$up" "$*"
}

fsck_cache()
{
	local out rc=0

	if [ ! -x "$TOOLS/bcache-fsck" ]; then
		say "note: $TOOLS/bcache-fsck is missing; offline check skipped"
		return 0
	fi
	out=$("$TOOLS/bcache-fsck" "$DISK_ssd" 2>&1) || rc=$?
	say "bcache-fsck ($1): ${out##*$'\n'}"
	[ "$rc" -eq 0 ] || { echo "$out"; fail "bcache-fsck $1: exit $rc"; }
}

# find_dev UUID: set REPLY to the /dev/bcacheN of UUID (no forks).
find_dev()
{
	local f u want=${1//-/}

	for f in /sys/block/bcache*/bcache/uuid; do
		[ -e "$f" ] || continue
		read -r u < "$f"
		u=${u//[:-]/}
		if [ "${u,,}" = "${want,,}" ]; then
			f=${f%/bcache/uuid}
			REPLY=/dev/${f##*/}
			[ -b "$REPLY" ] && return 0
		fi
	done
	return 1
}

# reg_dev UUID DEV: register a backing device; set REPLY to /dev/bcacheN.
reg_dev()
{
	sysfs_write "$SYSFS_BCACHE/register_dev" "$1 $2"
	find_dev "$1" || wait_for 30 find_dev "$1" || fail "no /dev/bcacheN for $2"
	find_dev "$1"
}

# bring_up: load the module, register the cache and both devices.
bring_up()
{
	local bc mode

	load_module
	bch_register_cache "$DISK_ssd"
	CACHE_DIR=$SYSFS_BCACHE/${DISK_ssd##*/}
	reg_dev "$UUID0" "$DISK_hdd"
	BC0=$REPLY
	reg_dev "$UUID1" "$DISK_fs"
	BC1=$REPLY
	for bc in "$BC0" "$BC1"; do
		bch_sys_write "$bc" sequential_cutoff 0
		read -r mode < "/sys/block/${bc##*/}/bcache/cache_mode"
		[[ "$mode" == *"[writethrough]"* ]] || fail "$bc is not in writethrough mode: $mode"
	done
	say "registered: cache ${DISK_ssd##*/}, $BC0, $BC1"
}

take_down()
{
	bch_stop_dev "$BC0"
	bch_stop_dev "$BC1"
	sysfs_write "$CACHE_DIR/unregister" 1
	wait_for 60 [ ! -e "$CACHE_DIR" ] || fail "the cache did not go away"
}

# region NAME: set R_TARGET R_OFF R_UNITS R_MAX R_ALIGN R_ZERO.
region()
{
	local name off units max align zero

	while read -r name off units max align zero; do
		[ "$name" = "$1" ] || continue
		R_OFF=$off R_UNITS=$units R_MAX=$max R_ALIGN=$align R_ZERO=$zero
		R_TARGET=$BC0
		[ "$name" = rw ] && R_TARGET=$MNT/rw.dat
		return 0
	done <<< "$REGIONS"
	fail "no region $1"
}

# stamp_verify NAME EPOCH [stampio verify options]: check region NAME
# against the floor and the log of EPOCH.
stamp_verify()
{
	local name=$1 e=$2 out

	shift 2
	region "$name"
	out=$("$STAMPIO" verify "$R_TARGET" --run "$RUN" --offset "$R_OFF" --units "$R_UNITS" \
		--floor "$STATE_DIR/floor-$name-$e" --log "$STATE_DIR/log-$name-$e" --strict \
		"$@" 2>&1) ||
		{ echo "$out"; fail "region $name: verification failed ($*)"; }
	say "$name $*: ${out#verify }"
	echo "FIG stamp_bytes=$((R_UNITS * 512))"
}

# fio_jobs EPOCH N: a job file writing N new files, one after the other;
# each job acknowledges its file when it is complete and fsynced.
fio_jobs()
{
	local e=$1 i

	printf '[global]\nioengine=psync\nverify=crc32c\nverify_state_save=0\n'
	printf 'thread\ncreate_on_open=1\n'
	printf 'do_verify=${FIO_VERIFY}\nverify_only=${FIO_VERIFY}\nend_fsync=1\nstonewall\n'
	for ((i = 1; i <= $2; i++)); do
		# The first file is small: fio is slow to get going under TCG.
		printf '\n[f%s-%s]\nfilename=%s/fio/f%s-%s\n' "$e" "$i" "$MNT" "$e" "$i"
		printf 'size=%sk\nbs=%sk\nrw=%s\nrandseed=%s\n%s\n' \
			$((i == 1 ? 64 : (RANDOM % 8 + 1) * 64)) $((4 << (RANDOM % 3))) \
			"${FIO_RW[RANDOM % 2]}" "$RANDOM" "${FIO_MODES[RANDOM % 4]}"
		printf 'exec_postrun=/bin/sh -c "[ ${FIO_VERIFY} = 1 ] || echo f%s-%s >> %s/fio-%s.acked"\n' \
			"$e" "$i" "$STATE_DIR" "$e"
	done
}

# fio_verify EPOCH: every acknowledged file reads back intact.
fio_verify()
{
	local e=$1 name line cur='' sections=() bytes=0
	local -A acked=()

	if [ ! -s "$STATE_DIR/fio-$e.acked" ]; then
		say "fio: no file acknowledged"
		return 0
	fi
	while read -r name; do
		sections+=("--section=$name")
		acked[$name]=1
	done < "$STATE_DIR/fio-$e.acked"
	FIO_VERIFY=1 fio "${sections[@]}" --output=/tmp/fio-v.out "$STATE_DIR/fio-$e.job" ||
		{ cat /tmp/fio-v.out; fail "fio: an acknowledged file does not verify"; }
	while read -r line; do
		case "$line" in
		"["*"]") cur=${line:1:-1} ;;
		size=*) [ -z "${acked[$cur]:-}" ] || bytes=$((bytes + ${line//[^0-9]/} * 1024)) ;;
		esac
	done < "$STATE_DIR/fio-$e.job"
	say "fio: ${#sections[@]} acknowledged files ($bytes bytes) verified"
	echo "FIG fio_files=${#sections[@]} fio_bytes=$bytes"
}

# Hits and misses of both devices since registration.
count_stats()
{
	local bc h m

	for bc in "$BC0" "$BC1"; do
		read -r h < "/sys/block/${bc##*/}/bcache/stats_total/cache_hits"
		read -r m < "/sys/block/${bc##*/}/bcache/stats_total/cache_misses"
		echo "FIG hits=$h misses=$m"
	done
}

# in_parallel FN...: run the functions at once (2 vCPUs); fail if one did.
in_parallel()
{
	local f pids=() rc=0

	for f in "$@"; do
		$f &
		pids+=($!)
	done
	for f in "${pids[@]}"; do
		wait "$f" || rc=1
	done
	[ "$rc" -eq 0 ] || fail "verification failed"
}

# The first reads after the crash: O_DIRECT, then buffered without caches.
first_a()
{
	stamp_verify a "$EPOCH" --out "$STATE_DIR/floor-a-$((EPOCH + 1))"
	echo 3 > /proc/sys/vm/drop_caches
	stamp_verify a "$EPOCH" --buffered --same-as "$STATE_DIR/floor-a-$((EPOCH + 1))"
}

first_b()
{
	stamp_verify b "$EPOCH" --out "$STATE_DIR/floor-b-$((EPOCH + 1))"
	echo 3 > /proc/sys/vm/drop_caches
	stamp_verify b "$EPOCH" --buffered --same-as "$STATE_DIR/floor-b-$((EPOCH + 1))"
}

first_fs()
{
	mount "$BC1" $MNT
	say "ext4 mounted (journal recovered)"
	stamp_verify rw "$EPOCH" --out "$STATE_DIR/floor-rw-$((EPOCH + 1))"
	fio_verify "$EPOCH"
	umount $MNT
	e2fsck -f -n "$BC1" > /tmp/e2fsck.out 2>&1 ||
		{ cat /tmp/e2fsck.out; fail "e2fsck found damage after recovery"; }
	say "e2fsck clean"
}

# After the re-register: the same versions again.
again_a()
{
	stamp_verify a "$EPOCH" --same-as "$STATE_DIR/floor-a-$((EPOCH + 1))"
}

again_b()
{
	stamp_verify b "$EPOCH" --same-as "$STATE_DIR/floor-b-$((EPOCH + 1))"
}

again_fs()
{
	mount "$BC1" $MNT
	stamp_verify rw "$EPOCH" --buffered --same-as "$STATE_DIR/floor-rw-$((EPOCH + 1))"
}

# verify_all [again]: steps 1-4 of an iteration (see the top of the file);
# the re-register only with "again".
verify_all()
{
	local gc written

	fsck_cache "after the crash"
	bring_up
	[ -d $MNT ] || mkdir -p $MNT
	in_parallel first_a first_b first_fs
	count_stats
	read -r gc < "$CACHE_DIR/gc_runs"
	read -r written < "$CACHE_DIR/written"
	say "cache: $gc gc runs, $written bytes written"
	echo "FIG gc=$gc"

	# Stable across a clean stop and a re-register.
	[ "${1:-}" = again ] || return 0
	take_down
	bring_up
	in_parallel again_a again_b again_fs
	count_stats
}

# commit: the versions just read become the floor of the next epoch.
commit_epoch()
{
	EPOCH=$((EPOCH + 1))
	echo "$EPOCH" > "$STATE_DIR/epoch.tmp"
	mv "$STATE_DIR/epoch.tmp" "$STATE_DIR/epoch"
	say "epoch $EPOCH committed"
	echo "FIG committed=1 epoch=$EPOCH"
}

load_state()
{
	# shellcheck source=/dev/null
	. "$STATE_DIR/setup.env"
	read -r EPOCH < "$STATE_DIR/epoch"
}

crash_setup()
{
	local name

	RUN=$((SRANDOM % 1000000000 + 1))
	UUID0=$(bch_new_uuid)
	UUID1=$(bch_new_uuid)
	printf 'RUN=%s\nUUID0=%s\nUUID1=%s\n' "$RUN" "$UUID0" "$UUID1" > "$STATE_DIR/setup.env"
	bch_format "$DISK_ssd" --bucket 64k
	bring_up
	mkfs.ext4 -q -F "$BC1"
	mkdir -p $MNT
	mount "$BC1" $MNT
	for name in a b rw; do
		region $name
		"$STAMPIO" init "$R_TARGET" --run "$RUN" --offset "$R_OFF" --units "$R_UNITS" \
			--seq 0 --floor "$STATE_DIR/floor-$name-1"
	done
	umount $MNT
	take_down
	echo 1 > "$STATE_DIR/epoch"
	fsck_cache "after setup"
}

crash_cycle()
{
	local name mode pids=() rc=0

	# shellcheck source=/dev/null
	. "$STATE_DIR/plan"
	RANDOM=$SEED
	: > /results/t-start
	[ "$ARM" = start ] && vm_arm
	say "iteration $ITER: arm at $ARM, seed $SEED, re-register $REREG"
	load_state
	if [ "$REREG" = 1 ]; then
		verify_all again
	else
		verify_all
		mount "$BC1" $MNT
	fi
	commit_epoch
	rm -rf $MNT/fio
	mkdir $MNT/fio
	fio_jobs "$EPOCH" 60 > "$STATE_DIR/fio-$EPOCH.job"
	sync

	for name in a b rw; do
		region $name
		mode=${MODES[RANDOM % 4]}
		"$STAMPIO" write "$R_TARGET" --run "$RUN" --offset "$R_OFF" --units "$R_UNITS" \
			--epoch "$EPOCH" --log "$STATE_DIR/log-$name-$EPOCH" --mode "$mode" \
			--seed "$RANDOM" --max "$R_MAX" --align "$R_ALIGN" --zero "$R_ZERO" \
			--batch 8 > /dev/null &
		pids+=($!)
		say "writer $name: $mode"
	done
	FIO_VERIFY=0 fio --output=/tmp/fio-w.out "$STATE_DIR/fio-$EPOCH.job" &
	pids+=($!)
	: > /results/t-load
	[ "$ARM" = load ] && vm_arm
	if [ "$ARM" = fio ]; then
		wait_for 300 [ -s "$STATE_DIR/fio-$EPOCH.acked" ] ||
			fail "fio did not complete a file in 300 s"
		vm_arm
	fi
	# Nothing ends by itself before the host kills the VM.
	wait -n "${pids[@]}" || rc=$?
	[ -e /tmp/fio-w.out ] && cat /tmp/fio-w.out
	fail "a writer ended (status $rc) before the kill"
}

crash_final()
{
	load_state
	verify_all again
	commit_epoch
	umount $MNT
	take_down
	fsck_cache "at the end"
	unload_module
}

# ---- host side ----------------------------------------------------------------

test()
{
	local seed=${CRASH_SEED:-$((SRANDOM % 1000000))} n i rc arm kill_ms f kv
	local killed=0 line pre=20000
	local -A sum=([stamp_bytes]=0 [fio_files]=0 [fio_bytes]=0 [hits]=0 [misses]=0 [gc]=0
		      [committed]=0)

	n=${CRASH_ITERATIONS:-20}
	[ -n "${DEBUG_TIER:-}" ] && n=${CRASH_ITERATIONS:-4}
	echo "CRASH_SEED=$seed CRASH_ITERATIONS=$n"
	RANDOM=$seed
	vm_boot crash_setup 300 || fail "the setup boot failed"
	for ((i = 1; i <= n; i++)); do
		# Killed after the boot started: anywhere in the verification
		# and the re-register (pre is how long they took last time); after
		# the load started; or after fio completed its first file.
		case $((RANDOM % 10)) in
		0|1)
			arm=start
			kill_ms=$((RANDOM % 1000 * pre / 1000 + 200))
			;;
		2|3|4|5|6)
			arm=load
			kill_ms=$((RANDOM % 3000 + 200))
			;;
		*)
			arm=fio
			kill_ms=$((RANDOM % 2000 + 100))
			;;
		esac
		printf 'ITER=%s\nSEED=%s\nARM=%s\nREREG=%s\n' "$i" "$RANDOM" "$arm" \
			$((RANDOM % 2)) > "$STATE_DIR/plan"
		rc=0
		vm_boot crash_cycle 300 "$kill_ms" || rc=$?
		[ "$rc" -eq 2 ] || fail "iteration $i (kill $kill_ms ms after arming at $arm) failed"
		killed=$((killed + 1))
		if [ -e "$BOOT_DIR/t-load" ]; then
			pre=$(stat -c '%.3Y' "$BOOT_DIR/t-start" "$BOOT_DIR/t-load" |
			      tr -d . | tr '\n' ' ' | awk '{ print $2 - $1 }')
		fi
		echo "iteration $i: killed $kill_ms ms after arming at $arm;" \
			"$(grep -c '^FIG committed' "$BOOT_DIR/output" || true) verification(s) committed"
	done
	vm_boot crash_final 400 || fail "the final boot failed"

	# Figures: the sums of the guests' "FIG key=value..." lines.
	for f in "$RESULT_DIR"/boot-*/output; do
		while read -r line; do
			[[ "$line" == "FIG "* ]] || continue
			for kv in ${line#FIG }; do
				[ -n "${sum[${kv%%=*}]+set}" ] || continue
				sum[${kv%%=*}]=$((sum[${kv%%=*}] + ${kv#*=}))
			done
		done < "$f"
	done
	echo "figures: $n iterations, $killed kills, ${sum[committed]} verified epochs," \
		"$(((sum[stamp_bytes] + sum[fio_bytes]) / MIB)) MiB verified" \
		"(${sum[fio_files]} fio files), cache hits ${sum[hits]}, misses ${sum[misses]}," \
		"gc runs ${sum[gc]}"
	[ "${sum[hits]}" -gt 0 ] || fail "the cache never served a read"
	[ "${sum[gc]}" -gt 0 ] || fail "GC never ran: the cache is too large for the test"
	[ "${sum[committed]}" -ge $((n / 2)) ] ||
		fail "only ${sum[committed]} of $n iterations got verified"
	if [ -x "$TOOLS/bcache-fsck" ]; then
		"$TOOLS/bcache-fsck" "$DISK_DIR/ssd.img" || fail "bcache-fsck on the host: exit $?"
	else
		echo "note: $TOOLS/bcache-fsck is missing; host-side check skipped"
	fi
}
