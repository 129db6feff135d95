/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Environment shim for the bcache on-disk format code.
 *
 * ondisk.h and drivers/bcache/ondisk.c compile unchanged in the kernel and in
 * userspace (tools, unit tests, fuzzers).  This header is the only place that
 * differs: in the kernel it includes the usual headers; in userspace it maps
 * the few kernel names the format code uses onto libc.
 *
 * Userspace takes __u8..__u64 and __le16..__le64 from the UAPI
 * <linux/types.h> (not from <stdint.h>), so that a tool may also include
 * <linux/fs.h> without conflicting typedefs, and so that u64 is the kernel's
 * "unsigned long long" and prints with %llu everywhere.
 */
#ifndef _BCACHE_ONDISK_ENV_H
#define _BCACHE_ONDISK_ENV_H

#ifdef __KERNEL__

#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/errno.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <asm/byteorder.h>

#else /* !__KERNEL__ */

#include <linux/types.h>
#include <assert.h>
#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s8 s8;

#define le16_to_cpu(x)	((u16)le16toh(x))
#define le32_to_cpu(x)	((u32)le32toh(x))
#define le64_to_cpu(x)	((u64)le64toh(x))
#define cpu_to_le16(x)	((__le16)htole16(x))
#define cpu_to_le32(x)	((__le32)htole32(x))
#define cpu_to_le64(x)	((__le64)htole64(x))

#ifndef BIT
#define BIT(n)		(1UL << (n))
#endif
#ifndef BIT_ULL
#define BIT_ULL(n)	(1ULL << (n))
#endif
#define BUILD_BUG_ON(cond)	static_assert(!(cond), #cond)

#endif /* __KERNEL__ */

#endif /* _BCACHE_ONDISK_ENV_H */
