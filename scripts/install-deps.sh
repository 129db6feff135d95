#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install, with apt-get, every Debian 12 package the build and the tests
# need, if any is missing. Safe to run repeatedly; needs root (or sudo).
set -euo pipefail

pkgs=(
	# build: module and tools
	build-essential linux-headers-amd64 libblkid-dev pkg-config sparse rsync
	# compile tests against the other Debian 6.1 flavours
	linux-headers-rt-amd64 linux-headers-cloud-amd64
	# VM tests: the kernel we boot, QEMU, and the guest's userland
	linux-image-amd64 qemu-system-x86 busybox-static cpio kmod fio
	e2fsprogs xfsprogs dmsetup util-linux fdisk udev
	# install tests: DKMS (and its MOK signing), the initramfs hook
	dkms openssl initramfs-tools
	# unit tests and fuzzing (ASan/UBSan/libFuzzer)
	clang libclang-rt-14-dev
	# debug kernel, checkpatch and kernel-doc come from Debian's source
	linux-source flex bison bc libelf-dev libssl-dev dwarves python3 perl
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
