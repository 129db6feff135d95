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
# QEMU's status (124 on timeout).
run_vm()
{
	local rdir=$1 tmo=$2 mem=$3

	shift 3
	timeout --foreground -k 5 "$tmo" qemu-system-x86_64 \
		-machine q35 -accel tcg,thread=multi -cpu max -smp 2 -m "$mem" \
		-nodefaults -nographic -no-reboot -monitor none \
		-serial "file:$rdir/console.log" \
		-kernel "$KERNEL_IMAGE" -initrd "$INITRAMFS" \
		-append "console=ttyS0 loglevel=5 panic=-1 oops=panic softlockup_panic=1 nokaslr rdinit=/init bct.runner=$REPO/tests/lib/guest.sh" \
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
