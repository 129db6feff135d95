# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Host side of the VM tests: pick the kernel, build the initramfs, boot
# QEMU (TCG) for one test with its own virtual disks.

# Newest installed Debian 6.1 kernel with a build tree and an image.
stock_kernel_release()
{
	local d rel best=

	for d in /lib/modules/6.1.*-amd64; do
		rel=${d##*/}
		case "$rel" in *-rt-amd64|*-cloud-amd64) continue ;; esac
		[ -e "$d/build/Makefile" ] && [ -e "/boot/vmlinuz-$rel" ] && best+="$rel"$'\n'
	done
	printf '%s' "$best" | sort -V | tail -n 1
}

# build_initramfs OUT KREL MODROOT: a busybox initramfs that can reach the
# host root. MODROOT is the directory holding lib/modules/KREL.
build_initramfs()
{
	local out=$1 krel=$2 modroot=$3 dir line ko

	dir=$(mktemp -d)
	mkdir -p "$dir/bin" "$dir/mods"
	cp /bin/busybox "$dir/bin/busybox"
	cp "$REPO/tests/lib/init" "$dir/init"
	chmod 755 "$dir/init"
	: > "$dir/mods/order"
	# modprobe prints dependencies first; built-in modules print "builtin".
	modprobe -a -d "$modroot" -S "$krel" --show-depends \
		virtio_pci virtio_blk 9pnet_virtio 9p overlay 2>/dev/null |
	while read -r line; do
		case "$line" in
		insmod*)
			ko=$(echo "$line" | awk '{print $2}')
			[ -e "$dir/mods/${ko##*/}" ] && continue
			cp "$ko" "$dir/mods/"
			echo "${ko##*/}" >> "$dir/mods/order"
			;;
		esac
	done
	(cd "$dir" && find . | cpio -o -H newc --quiet) | gzip -1 > "$out.tmp"
	mv "$out.tmp" "$out"
	rm -rf "$dir"
}

# vm_setup: sets KERNEL_IMAGE, INITRAMFS, GUEST_MODDIR and BCACHE_KO for the
# selected tier (stock or debug).
vm_setup()
{
	local krel cache

	mkdir -p "$BCT_CACHE"
	if [ -n "$DEBUG_TIER" ]; then
		cache=$("$REPO/tests/debug-kernel.sh") || return 1
		krel=$(cat "$cache/release")
		KERNEL_IMAGE=$cache/bzImage
		INITRAMFS=$BCT_CACHE/initramfs-$krel.gz
		GUEST_MODDIR=$cache/modules/lib/modules/$krel
		[ -e "$INITRAMFS" ] || build_initramfs "$INITRAMFS" "$krel" "$cache/modules"
		BCACHE_KO=$REPO/build/debug/drivers/bcache/bcache.ko
		TEST_KO_DIR=$REPO/build/debug/tests/kmod
	else
		krel=$(stock_kernel_release)
		if [ -z "$krel" ]; then
			echo "no Debian 6.1 kernel installed (apt-get install linux-image-amd64 linux-headers-amd64)" >&2
			return 1
		fi
		KERNEL_IMAGE=/boot/vmlinuz-$krel
		INITRAMFS=$BCT_CACHE/initramfs-$krel.gz
		GUEST_MODDIR=
		[ "$INITRAMFS" -nt "$REPO/tests/lib/init" ] && [ "$INITRAMFS" -nt "$REPO/tests/lib/vm.sh" ] ||
			build_initramfs "$INITRAMFS" "$krel" /
		BCACHE_KO=${BCACHE_KO_OVERRIDE:-$REPO/drivers/bcache/bcache.ko}
		TEST_KO_DIR=$REPO/tests/kmod
	fi
	KERNEL_RELEASE=$krel
}

# make_disks DIR SPEC...: create sparse images; prints qemu arguments.
make_disks()
{
	local dir=$1 spec name size opts iops args=()

	shift
	for spec in "$@"; do
		IFS=: read -r name size opts <<< "$spec"
		truncate -s "$size" "$dir/$name.img"
		iops=
		case "$opts" in
		iops=*) iops=",throttling.iops-total=${opts#iops=}" ;;
		esac
		args+=(-drive "if=none,id=d_$name,file=$dir/$name.img,format=raw,cache=unsafe,discard=unmap,aio=threads$iops")
		args+=(-device "virtio-blk-pci,drive=d_$name,serial=$name")
	done
	[ ${#args[@]} -eq 0 ] || printf '%s\n' "${args[@]}"
}

# run_vm RESULTDIR TIMEOUT MEM DISK_ARGS...: boot the guest; returns
# QEMU's status (124 on timeout). BCT_KERNEL_ARGS adds kernel parameters
# (make bench: the TSC clocksource, see Documentation/performance.md).
run_vm()
{
	local rdir=$1 tmo=$2 mem=$3

	shift 3
	timeout --foreground -k 5 "$tmo" qemu-system-x86_64 \
		-machine q35 -accel tcg,thread=multi -cpu max -smp 2 -m "$mem" \
		-nodefaults -nographic -no-reboot -monitor none \
		-serial "file:$rdir/console.log" \
		-kernel "$KERNEL_IMAGE" -initrd "$INITRAMFS" \
		-append "console=ttyS0 loglevel=5 panic=-1 oops=panic softlockup_panic=1 nokaslr no_timer_check rdinit=/init bct.runner=$REPO/tests/lib/guest.sh${BCT_KERNEL_ARGS:+ $BCT_KERNEL_ARGS}" \
		-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap" \
		-virtfs "local,path=$rdir,mount_tag=results,security_model=none" \
		-device virtio-rng-pci \
		"$@" </dev/null >/dev/null 2>"$rdir/qemu.err"
}

# Lines in the guest kernel log that fail a test.
KLOG_BAD='WARNING:|BUG:|Oops|KASAN|UBSAN|general protection|Kernel panic|possible circular locking|possible recursive locking|inconsistent lock state|bad unlock balance|held lock freed|lock held when returning|suspicious RCU|kmemleak|blocked for more than|hung_task|soft lockup|hard LOCKUP|list_add corruption|list_del corruption|Call Trace|stack-protector|refcount_t|BCT-INIT-FAILED'
# ...except these known-harmless lines.
KLOG_OK='module verification failed: signature|loading out-of-tree module taints kernel|tainting kernel|kmemleak: Kernel memory leak detector initialized|kmemleak: Automatic memory scanning thread|KASAN: KernelAddressSanitizer initialized|lockdep: Lock dependency validator|Lock dependency validator|BCT-TEST'

# klog_check FILE...: print offending lines; status 1 if any. Only what the
# kernel logged from the test's start marker on counts: the debug kernel
# occasionally reports a KASAN splat in its own early boot under TCG, before
# any of our code is loaded.
klog_check()
{
	local bad f

	bad=$(for f in "$@"; do
		[ -e "$f" ] || continue
		if grep -aq BCT-TEST-START "$f"; then
			sed -n '/BCT-TEST-START/,$p' "$f"
		else
			cat "$f"
		fi
	done | grep -aE "$KLOG_BAD" | grep -avE "$KLOG_OK" | head -n 20)
	[ -z "$bad" ] && return 0
	printf '%s\n' "$bad"
	return 1
}

# ---- host-driven VM tests (HOST_VM=1) ---------------------------------------
#
# A HOST_VM test runs test() on the host, like a HOST=1 test, and boots the
# guest as often as it likes on the SAME disk images (created once by the
# harness from DISKS, in $RESULT_DIR). Each boot runs one guest-side function
# of the test file (a "phase") instead of test(), with $DISK_<name> set as in
# a VM test, and with a persistent share mounted at /state in the guest
# ($STATE_DIR on the host) for whatever must survive a boot or a kill:
# writes to it are synchronous 9p writes, on the host before write(2)
# returns in the guest. The harness exports to test(): BCT_TMULT and
# BCT_BOOT_SLACK (the tier's slowness), STATE_DIR, and what vm_boot needs.

BCT_BOOT_NR=0

# vm_arm (guest): tell the host that a vm_boot kill delay starts now.
vm_arm()
{
	: > /results/armed
}

# _vm_now: set NOW_MS to the milliseconds since the epoch (no fork).
_vm_now()
{
	local t=${EPOCHREALTIME/[.,]/}

	NOW_MS=$((t / 1000))
}

# vm_boot PHASE TIMEOUT [KILL_MS]: boot the guest once and run the test
# file's function PHASE in it. TIMEOUT (seconds) is scaled for the tier.
# With KILL_MS, QEMU is killed with SIGKILL KILL_MS milliseconds after the
# guest called vm_arm. Sets BOOT_DIR (console.log, output, status, dmesg).
# Returns 0 if the phase passed and the VM powered off by itself, 2 if it
# was killed as asked, 1 on any failure (the phase failed or ended without
# a status, a timeout, or the kernel log of the boot reports a problem; the
# console log up to the kill is checked).
vm_boot()
{
	local phase=$1 tmo=$2 kill_ms=${3:-} bdir pid qpid rc bad dargs status tfd
	local armed_at='' killed='' reason='' NOW_MS

	BCT_BOOT_NR=$((BCT_BOOT_NR + 1))
	bdir=$RESULT_DIR/boot-$(printf '%03d' "$BCT_BOOT_NR")-$phase
	BOOT_DIR=$bdir
	mkdir -p "$bdir" "$STATE_DIR"
	tmo=$((tmo * BCT_TMULT + BCT_BOOT_SLACK))
	{
		printf 'REPO=%q\nTEST_NAME=%q\nTEST_FILE=/results/phase.sh\n' "$REPO" "$TEST_NAME"
		printf 'BCACHE_KO=%q\nTEST_KO_DIR=%q\nTOOLS=%q\n' "$BCACHE_KO" "$TEST_KO_DIR" "$TOOLS"
		printf 'GUEST_MODDIR=%q\nDEBUG_TIER=%q\nSTATE_DIR=/state\n' "$GUEST_MODDIR" "$DEBUG_TIER"
		printf 'BCT_PHASE=%q\nBCT_BOOT_NR=%q\n' "$phase" "$BCT_BOOT_NR"
		printf 'export REPO TEST_NAME BCACHE_KO TEST_KO_DIR TOOLS DEBUG_TIER STATE_DIR BCT_PHASE BCT_BOOT_NR\n'
	} > "$bdir/env"
	# The guest runner sources TEST_FILE and calls test(): run the phase.
	{
		printf '. %q\n' "$REPO/tests/lib/vm.sh"
		printf '. %q\n' "$TEST_FILE"
		printf 'unset -f requires\n'
		printf 'test()\n{\n'
		printf '\tmkdir -p /state\n'
		printf '\tmount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 state /state\n'
		printf '\t%q\n}\n' "$phase"
	} > "$bdir/phase.sh"

	mapfile -t dargs < "$RESULT_DIR/disk-args"
	run_vm "$bdir" "$tmo" "$BCT_MEM" "${dargs[@]}" \
		-virtfs "local,path=$STATE_DIR,mount_tag=state,security_model=none" \
		-pidfile "$bdir/qemu.pid" 2> "$bdir/vm.err" &
	pid=$!
	# Sleep with read -t on a pipe nobody writes: no fork per poll, which
	# matters on a host whose CPUs run the guest.
	exec {tfd}<> <(:)
	while kill -0 "$pid" 2>/dev/null; do
		if [ -n "$kill_ms" ] && [ -z "$killed" ]; then
			_vm_now
			if [ -z "$armed_at" ] && [ -e "$bdir/armed" ]; then
				armed_at=$NOW_MS
			fi
			if [ -n "$armed_at" ] && [ $((NOW_MS - armed_at)) -ge "$kill_ms" ]; then
				read -r qpid < "$bdir/qemu.pid"
				if [ -n "$qpid" ] && kill -9 "$qpid" 2>/dev/null; then
					killed=1
					echo "killed $kill_ms ms after arming" > "$bdir/killed"
				fi
			fi
		fi
		read -r -t 0.02 -u "$tfd" || true
	done
	exec {tfd}<&-
	rc=0
	wait "$pid" || rc=$?

	status=$(cat "$bdir/status" 2>/dev/null || true)
	if [ -n "$killed" ]; then
		case "$status" in
		''|pass) ;;
		*) reason="the phase failed before the kill: $status" ;;
		esac
	elif [ "$rc" -eq 124 ]; then
		reason="timed out after ${tmo}s"
	elif [ -n "$kill_ms" ] && [ -z "$armed_at" ] && [ "$status" = pass ]; then
		reason="the phase never called vm_arm"
	elif [ -z "$status" ]; then
		reason="the VM ended without a result (qemu status $rc)"
	elif [ "$status" != pass ]; then
		reason="phase $phase: $status"
	elif [ -n "$kill_ms" ]; then
		reason="the phase ended before the kill"
	fi
	if ! bad=$(klog_check "$bdir/console.log" "$bdir/dmesg" "$bdir/kmemleak"); then
		reason=${reason:-"kernel log reports a problem"}
		printf '%s\n' "$bad" > "$bdir/klog-bad"
	fi
	if [ -n "$reason" ]; then
		echo "boot $BCT_BOOT_NR ($phase): FAIL: $reason"
		[ -s "$bdir/output" ] && tail -n 25 "$bdir/output" | sed 's/^/  guest| /'
		[ -s "$bdir/klog-bad" ] && sed 's/^/  klog| /' "$bdir/klog-bad"
		[ -s "$bdir/qemu.err" ] && tail -n 5 "$bdir/qemu.err" | sed 's/^/  qemu| /'
		echo "  results: $bdir"
		return 1
	fi
	[ -n "$killed" ] && return 2
	return 0
}
