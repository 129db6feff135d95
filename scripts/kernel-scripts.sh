#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Extract checkpatch.pl and kernel-doc (with their data files) from Debian's
# linux-source tarball into a cache directory, once; print that directory.
set -euo pipefail

src_tar=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n 1 || true)
[ -n "$src_tar" ] || { echo "kernel-scripts: apt-get install linux-source" >&2; exit 1; }
dir=${BCT_CACHE:-/var/tmp/bcache-test-cache}/kscripts-$(stat -c %s "$src_tar")
if [ ! -x "$dir/scripts/checkpatch.pl" ]; then
	mkdir -p "$dir"
	tar -C "$dir" --strip-components=1 -xf "$src_tar" --wildcards \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch' '*/scripts/kernel-doc'
fi
echo "$dir"
