#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: boot Debian's 6.1 kernel in QEMU with a virtual SSD and a
# throttled virtual HDD, and show the cache at work (scripts/demo-vm.sh
# runs inside the guest).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
echo "Booting the demo VM (QEMU/TCG; this takes a few minutes)..."
BCACHE_RESULTS=$repo/build/demo "$repo/tests/run" --verbose --file "$repo/scripts/demo-vm.sh"
