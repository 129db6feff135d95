#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once per machine) a debug Linux 6.1 kernel from Debian's
# linux-source-6.1: defconfig + kvm_guest.config + KASAN, lockdep, kmemleak,
# fault injection and the device-mapper targets the tests use.
#
# The result is cached outside the clone, keyed by a hash of the config
# fragment below and the source tarball, so it is built once per machine.
# Prints the cache directory (holding bzImage, modules/ and build/) on stdout.
#
# Usage: tests/debug-kernel.sh [--print-dir]
set -euo pipefail

src_tar=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -1 || true)
if [ -z "$src_tar" ]; then
	echo "debug-kernel: /usr/src/linux-source-6.1.tar.* missing (apt-get install linux-source-6.1)" >&2
	exit 1
fi

fragment='
CONFIG_KASAN=y
CONFIG_KASAN_GENERIC=y
CONFIG_KASAN_INLINE=y
CONFIG_KASAN_VMALLOC=y
CONFIG_PROVE_LOCKING=y
CONFIG_DEBUG_LOCKDEP=n
CONFIG_DEBUG_ATOMIC_SLEEP=y
CONFIG_DEBUG_KMEMLEAK=y
CONFIG_DEBUG_KMEMLEAK_MEM_POOL_SIZE=16000
CONFIG_DEBUG_KMEMLEAK_AUTO_SCAN=n
CONFIG_DETECT_HUNG_TASK=y
CONFIG_DEFAULT_HUNG_TASK_TIMEOUT=120
CONFIG_UBSAN=y
CONFIG_UBSAN_BOUNDS=y
CONFIG_UBSAN_SHIFT=y
CONFIG_UBSAN_BOOL=y
CONFIG_UBSAN_ENUM=y
CONFIG_KUNIT=y
CONFIG_FAULT_INJECTION=y
CONFIG_FAIL_MAKE_REQUEST=y
CONFIG_FAULT_INJECTION_DEBUG_FS=y
CONFIG_DEBUG_FS=y
CONFIG_MODULES=y
CONFIG_MODULE_UNLOAD=y
CONFIG_MODULE_SIG=n
CONFIG_BLK_DEV_DM=y
CONFIG_DM_FLAKEY=m
CONFIG_DM_DELAY=m
CONFIG_DM_LOG_WRITES=m
CONFIG_DM_CACHE=m
CONFIG_DM_CACHE_SMQ=m
CONFIG_BLK_DEV_NULL_BLK=m
CONFIG_BLK_DEV_LOOP=y
CONFIG_VIRTIO=y
CONFIG_VIRTIO_PCI=y
CONFIG_VIRTIO_BLK=y
CONFIG_NET_9P=y
CONFIG_NET_9P_VIRTIO=y
CONFIG_9P_FS=y
CONFIG_9P_FS_POSIX_ACL=y
CONFIG_OVERLAY_FS=y
CONFIG_TMPFS=y
CONFIG_EXT4_FS=y
CONFIG_XFS_FS=m
CONFIG_CRYPTO_CRC32C=y
CONFIG_LIBCRC32C=y
CONFIG_BLK_DEV_INITRD=y
CONFIG_DEBUG_INFO_NONE=y
CONFIG_DEBUG_INFO_BTF=n
CONFIG_WERROR=n
'

hash=$( (printf '%s' "$fragment"; basename "$src_tar"; stat -c %s "$src_tar") | sha256sum | cut -c1-16)
cache=${BCACHE_KCACHE:-/var/cache/bcache-test-kernel}/$hash
if [ -f "$cache/.done" ]; then
	echo "$cache"
	exit 0
fi
[ "${1:-}" = "--print-dir" ] && { echo "$cache"; exit 1; }

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
if [ -f "$cache/.done" ]; then
	echo "$cache"
	exit 0
fi

log=$cache/build.log
echo "debug-kernel: building into $cache (log: $log), ~16 min on 2 cores" >&2
{
	rm -rf "$cache/build"
	mkdir -p "$cache/build"
	tar -C "$cache/build" --strip-components=1 -xf "$src_tar"
	cd "$cache/build"
	make -s defconfig
	make -s kvm_guest.config
	printf '%s\n' "$fragment" | grep . > "$cache/fragment.config"
	scripts/kconfig/merge_config.sh -m .config "$cache/fragment.config"
	make -s olddefconfig
	# Verify the options we rely on survived olddefconfig.
	for opt in KASAN PROVE_LOCKING DEBUG_KMEMLEAK KUNIT FAIL_MAKE_REQUEST \
		   FAULT_INJECTION_DEBUG_FS DEBUG_ATOMIC_SLEEP VIRTIO_BLK 9P_FS; do
		grep -q "^CONFIG_$opt=y" .config || { echo "missing CONFIG_$opt"; exit 1; }
	done
	make -j"$(nproc)" bzImage modules
	rm -rf "$cache/modules"
	make -s INSTALL_MOD_PATH="$cache/modules" modules_install
	cp arch/x86/boot/bzImage "$cache/bzImage"
	make -s kernelrelease > "$cache/release"
} >"$log" 2>&1 || { echo "debug-kernel: build failed, see $log" >&2; tail -20 "$log" >&2; exit 1; }
touch "$cache/.done"
echo "$cache"
