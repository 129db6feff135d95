# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="sysfs fuzz: garbage into every writable bcache attribute, sequential and racing, under fio verify: bad writes fail with an errno, accepted ones read back valid"
TEST_GROUPS="crash"
TIMEOUT=360
DISKS="ssd:64M hdd:64M"

# Every writable file under /sys/kernel/bcache (the control files and the
# cache's directory) and /sys/block/bcacheN/bcache/ gets garbage: empty and
# whitespace-only writes, 8 KiB strings, negative and overflowing numbers,
# embedded NULs, bytes that are not UTF-8, format directives, paths, and
# values that are almost valid. A write must either fail with an errno or
# be valid input for the file's documented parser, and what a readable file
# reads back must be a valid value that matches the input. The destructive
# files (stop, detach, unregister) get only garbage that no parser may take
# for "1"; they are exercised for real at the end. Then several writers race
# on the same files. fio writes and verifies through /dev/bcache0 the whole
# time; it must see no error, and the device must still cache afterwards.

FIO_MB=8
RACE_WRITES=500
KLOG_BAD_RE='WARNING:|BUG:|Oops|KASAN|UBSAN|general protection|circular locking|recursive locking|inconsistent lock|Call Trace|refcount_t|list_add corruption|list_del corruption'

requires()
{
	_have_program fio
}

# ---- the inputs ---------------------------------------------------------------

# printf formats (one write each). Values that kstrtobool() takes for "yes"
# (first byte 1, y, Y, t, T, or "on") are marked: never for the destructive
# files.
fuzz_corpus()
{
	local x9 xx

	x9=$(printf '9%.0s' {1..8192})
	xx=$(printf 'x%.0s' {1..8192})
	CORPUS=(
		'' '\n' ' ' '\t\n' '\r\n' ' \n \n' '  1  ' ' writethrough' 'writethrough \n\n'
		'-1' '-0' '-9223372036854775808' '9223372036854775808'
		'18446744073709551615' '18446744073709551616'
		'340282366920938463463374607431768211456' '4294967295' '4294967296'
		'17179869184G' '16777215G' '1e9' '0x10' '1.5' '+7' '07k' '5K\n'
		'a\0b' '1\0garbage' '\0' '\0\0\0\0' '\xff\xfe\xfd' '\xc3\x28\n' '\xe2\x82'
		'%%s%%n%%x%%p' '../../../etc/passwd' '/dev/null' '/dev/zero' '/proc/self/fd/0'
		'00000000-0000-0000-0000-000000000000 /dev/null' 'writeback' 'WriteThrough'
		'writearound' 'none' 'none\n' 'writethrough\n' '0' '0\n' '1' '1\n' 'y' 'n'
		'on' 'off' 'true' 'false' '2' '1k' '4M' '1G' '1T' "$x9" "$xx"
	)
}

# raw FORMAT: the bytes of a corpus entry.
raw()
{
	# shellcheck disable=SC2059
	printf -- "$1"
}

# Everything below is builtins: under TCG every exec costs a good fraction
# of a second, and there are thousands of writes.

# effective FORMAT: sets EFF to the string the kernel's parsers see (a bash
# string ends at the first NUL, as a C string does) and SHOWN to a short
# printable form of it for messages.
effective()
{
	# shellcheck disable=SC2059
	printf -v EFF -- "$1"
	SHOWN=${EFF//[^[:print:]]/?}
	SHOWN=${SHOWN:0:40}
}

# is_yes FORMAT: kstrtobool() would read the value as true.
is_yes()
{
	effective "$1"
	case $EFF in
	1* | [yYtT]* | [oO][nN]*) return 0 ;;
	esac
	return 1
}

# ---- checking one accepted write ----------------------------------------------

# num_value STR SUFFIXES: the value of a decimal (with an optional
# k/M/G suffix if SUFFIXES), or "" if it does not parse or is too large for
# bash; "big" for a plain decimal of more than 18 digits.
num_value()
{
	local s=$1 shift=0 n

	s=${s#"${s%%[![:space:]]*}"}
	s=${s%"${s##*[![:space:]]}"}
	if [ -n "$2" ]; then
		case $s in
		*[kK]) shift=10 ;;
		*[mM]) shift=20 ;;
		*[gG]) shift=30 ;;
		esac
		[ "$shift" -eq 0 ] || s=${s%?}
	fi
	s=${s#+}
	[[ $s =~ ^[0-9]+$ ]] || return 0
	n=${s#"${s%%[!0]*}"}
	[ -n "$n" ] || n=0
	if [ ${#n} -gt 18 ]; then
		[ "$shift" -eq 0 ] && echo "big:$n"
		return 0
	fi
	[ $((n >> (62 - shift))) -eq 0 ] || return 0
	echo $((n << shift))
}

# accepted FILE FORMAT: a write was accepted: it must have been valid input,
# and the file must read back a valid value that matches it.
accepted()
{
	local f=$1 name=${1##*/} eff got want shown brackets

	effective "$2"
	eff=${EFF%$'\n'} shown=$SHOWN
	got=
	if [ -n "${READABLE[$f]:-}" ]; then
		got=$(< "$f") || { bad "$f: unreadable after an accepted write"; return 0; }
	fi
	case $name in
	cache_mode)
		brackets=${got//[^[]/}
		if ! [[ $got =~ ^(\[?(writethrough|writearound|none)\]?\ ?){3}$ ]] ||
			[ "$brackets" != "[" ]; then
			bad "$f: reads '$got'"
			return 0
		fi
		want=${eff%$'\n'}
		[ -z "$2" ] || [[ $got == *"[$want]"* ]] ||
			bad "$f: accepted '$shown', reads '$got'"
		;;
	sequential_cutoff | io_error_limit)
		[[ $got =~ ^[0-9]+$ ]] || { bad "$f: reads '$got'"; return 0; }
		[ -n "$2" ] || return 0
		if [ "$name" = io_error_limit ]; then
			want=$(num_value "$eff" "")
			[[ $eff =~ ^\+?[0-9]+$'\n'?$ ]] || want=
		else
			want=$(num_value "$eff" k)
		fi
		case $want in
		"") bad "$f: accepted '$shown', not a number" ;;
		big:*) [ "$got" = "${want#big:}" ] ||
			bad "$f: accepted '$shown', reads '$got'" ;;
		*) [ "$got" = "$want" ] ||
			bad "$f: accepted '$shown', reads '$got'" ;;
		esac
		;;
	discard)
		[[ $got =~ ^[01]$ ]] || { bad "$f: reads '$got'"; return 0; }
		[ -n "$2" ] || return 0
		if is_yes "$2"; then want=1; else want=0; fi
		case $eff in
		[0nNfF]* | [oO][fF]*) ;;
		*) is_yes "$2" || bad "$f: accepted '$shown'" ;;
		esac
		[ "$got" = "$want" ] || bad "$f: accepted '$shown', reads '$got'"
		lenient "$name" "$2" "$eff" '^(0|1|y|n|yes|no|on|off|true|false)$'
		;;
	trigger_gc | clear_stats | stop | detach | unregister)
		# "write 1": the kernel parses it with kstrtobool().
		[ -z "$2" ] || is_yes "$2" ||
			bad "$f: accepted '$shown'"
		lenient "$name" "$2" "$eff" '^(1|y|yes|on|true)$'
		;;
	register_cache | register_dev)
		[ -z "$2" ] || bad "$f: accepted '$shown'"
		;;
	*)
		# Not known to this test: a readable value is all we can ask.
		[ -z "${READABLE[$f]:-}" ] || [ -n "$got" ] || bad "$f: reads nothing"
		;;
	esac
	return 0
}

# lenient NAME FORMAT EFF REGEX: an accepted value outside the documented
# ones (kstrtobool() reads only the first bytes): counted, not a failure.
lenient()
{
	[ -n "$3" ] && ! [[ $3 =~ $4 ]] || return 0
	LENIENT=$((LENIENT + 1))
	LENIENT_EX="$1 <- '$SHOWN'"
}

bad()
{
	echo "FAIL: $*"
	NFAIL=$((NFAIL + 1))
}

# klog_clean WHEN: no kernel warning so far (checked as we go: the flood of
# pr_err lines from rejected writes could push one out of the ring buffer
# before the harness reads it).
klog_clean()
{
	local l

	if l=$(dmesg | grep -aE "$KLOG_BAD_RE" | head -n 3) && [ -n "$l" ]; then
		fail "kernel log after $1: $l"
	fi
	return 0
}

# fuzz_write FILE FORMAT: one write; counts and checks.
fuzz_write()
{
	local err

	TRIED=$((TRIED + 1))
	if raw "$2" 2> "$W/err" > "$1"; then
		accepted "$1" "$2"
	else
		err=$(< "$W/err")
		[[ $err == *"write error"* ]] ||
			bad "$1: failed without an errno: $err"
		REJECTED=$((REJECTED + 1))
	fi
}

# ---- load and racers ------------------------------------------------------------

# fio_loop: write and verify 8 MiB of /dev/bcache0 again and again until
# $W/stop exists; $W/fio.rc gets the first failure (or 0) and the runs.
fio_loop()
{
	local n=0

	while [ ! -e "$W/stop" ]; do
		n=$((n + 1))
		if ! fio --name="v$n" --filename="$BC" --direct=1 --ioengine=psync \
			--rw=randwrite --bs=4k --size="${FIO_MB}M" --verify=crc32c \
			--verify_fatal=1 --randrepeat=0 --output="$W/fio.out" 2>&1; then
			cp "$W/fio.out" "$W/fio.failed"
			echo "1 $n" > "$W/fio.rc"
			return 0
		fi
	done
	echo "0 $n" > "$W/fio.rc"
}

# racer ID N: N random writes of the corpus into random non-destructive
# files; "tried accepted" into $W/racer.ID.
racer()
{
	local id=$1 n=0 ok=0 f v

	while [ "$n" -lt "$2" ]; do
		f=${SAFE[RANDOM % ${#SAFE[@]}]}
		v=${CORPUS[RANDOM % ${#CORPUS[@]}]}
		n=$((n + 1))
		raw "$v" 2>/dev/null > "$f" && ok=$((ok + 1))
	done
	echo "$n $ok" > "$W/racer.$id"
}

# ---- the test -----------------------------------------------------------------------

test()
{
	local f v files dev sysd cdir cache h0 i rc runs n ok a b destructive limit
	local -a pids

	load_module
	W=$(mktemp -d /tmp/fuzz.XXXXXX)
	TRIED=0 REJECTED=0 NFAIL=0 LENIENT=0 LENIENT_EX=
	fuzz_corpus
	bch_format "$DISK_ssd" --bucket 64k
	bch_register_cache "$DISK_ssd"
	cache=${DISK_ssd##*/}
	cdir=$SYSFS_BCACHE/$cache
	BC=$(bch_register_dev "$(bch_new_uuid)" "$DISK_hdd")
	dev=${BC##*/}
	sysd=/sys/block/$dev/bcache
	expect_eq "$(bch_sys "$BC" cache)" "$cache" "attached"
	expect_eq "$(bch_sys "$BC" cache_mode)" "[writethrough] writearound none" "cache_mode"
	limit=$(< "$cdir/io_error_limit" 2>/dev/null) || limit=

	mapfile -t files < <(find "$SYSFS_BCACHE" "$sysd/" -type f -perm -200 | sort)
	declare -gA READABLE=()
	while read -r f; do
		READABLE[$f]=1
	done < <(find "$SYSFS_BCACHE" "$sysd/" -type f -perm -400)
	SAFE=()
	for f in "${files[@]}"; do
		case ${f##*/} in
		stop | detach | unregister) ;;
		*) SAFE+=("$f") ;;
		esac
	done
	echo "writable: ${files[*]#/sys/}"
	[ "${#files[@]}" -ge 8 ] || fail "only ${#files[@]} writable files found"

	fio_loop &
	# 1. Every file, every input, one at a time: strict checks.
	for f in "${files[@]}"; do
		destructive=
		case ${f##*/} in
		stop | detach | unregister) destructive=1 ;;
		esac
		for v in "${CORPUS[@]}"; do
			[ -z "$destructive" ] || ! is_yes "$v" || continue
			fuzz_write "$f" "$v"
		done
		klog_clean "${f#/sys/}"
	done
	echo "[${SECONDS}s] sequential: $TRIED writes, $REJECTED rejected, $LENIENT accepted by a lenient" \
		"parser${LENIENT_EX:+ (e.g. $LENIENT_EX)}"

	# 2. Racing writers on the same files, with fio still running.
	pids=()
	for i in 1 2 3 4; do
		racer "$i" "$RACE_WRITES" &
		pids+=($!)
	done
	wait "${pids[@]}"
	klog_clean "the racing writers"
	n=0 ok=0
	for i in 1 2 3 4; do
		read -r a b < "$W/racer.$i"
		n=$((n + a)) ok=$((ok + b))
	done
	echo "[${SECONDS}s] racing: 4 writers, $n writes, $((n - ok)) rejected"
	TRIED=$((TRIED + n))
	REJECTED=$((REJECTED + n - ok))

	# Every readable file still reads a valid value.
	for f in "${files[@]}"; do
		accepted "$f" ""
	done

	# 3. fio saw no error while all this happened.
	touch "$W/stop"
	wait_for 300 [ -e "$W/fio.rc" ] || fail "fio did not finish"
	read -r rc runs < "$W/fio.rc"
	[ "$rc" -eq 0 ] || fail "fio verify failed in run $runs: $(tail -n 20 "$W/fio.failed")"
	echo "[${SECONDS}s] fio: $runs write+verify runs of ${FIO_MB} MiB, no error"

	# 4. Sane values back; the device still caches and verifies.
	echo "[${SECONDS}s] final checks"
	sysfs_write "$sysd/cache_mode" writethrough
	sysfs_write "$sysd/sequential_cutoff" 4M
	sysfs_write "$cdir/discard" 0
	[ -z "$limit" ] || sysfs_write "$cdir/io_error_limit" "$limit"
	expect_eq "$(bch_sys "$BC" cache)" "$cache" "still attached"
	[ "$(< "$cdir/state")" != failed ] || fail "the cache failed"
	fio --name=final --filename="$BC" --direct=1 --ioengine=psync --rw=randwrite --bs=4k \
		--size="${FIO_MB}M" --verify=crc32c --verify_fatal=1 --randrepeat=0 --output=/dev/null
	h0=$(bch_stat "$BC" cache_hits)
	fio --name=final --filename="$BC" --direct=1 --ioengine=psync --rw=read --bs=4k \
		--size="${FIO_MB}M" --verify=crc32c --verify_only=1 --output=/dev/null
	[ "$(bch_stat "$BC" cache_hits)" -gt "$h0" ] || fail "no cache hits after the fuzzing"

	# 5. The destructive files, for real: refused with "0", done with "1".
	echo "[${SECONDS}s] detach, stop, unregister"
	expect_fail sysfs_write "$sysd/detach" 0
	sysfs_write "$sysd/detach" 1
	expect_eq "$(bch_sys "$BC" cache)" none "detached"
	expect_fail sysfs_write "$sysd/stop" 0
	bch_stop_dev "$BC"
	expect_fail sysfs_write "$cdir/unregister" 0
	bch_unregister_cache "$DISK_ssd"

	echo "writes: $TRIED tried, $REJECTED rejected, $((TRIED - REJECTED)) accepted; $NFAIL problems"
	[ "$NFAIL" -eq 0 ] || fail "$NFAIL bad outcomes (see FAIL lines above)"
	rm -rf "$W"
}
