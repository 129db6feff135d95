/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-version differences, in one place.
 *
 * The module targets Debian 12's Linux 6.1 LTS (stock, -rt and -cloud
 * flavours). Block-layer APIs churned heavily right after 6.1
 * (blkdev_get_by_path() in 6.5/6.8/6.9, bd_inode in 6.10, ...), so every
 * API that differs across versions is wrapped here and nowhere else. The
 * file is force-included into every object by Kbuild.
 */
#ifndef BCACHE_COMPAT_H
#define BCACHE_COMPAT_H

#include <linux/version.h>

#define BCACHE_KVER	LINUX_VERSION_CODE

#if BCACHE_KVER < KERNEL_VERSION(6, 1, 0) || BCACHE_KVER >= KERNEL_VERSION(6, 2, 0)
#error "bcache supports Linux 6.1.x only (Debian 12); see compat.h"
#endif

#endif /* BCACHE_COMPAT_H */
