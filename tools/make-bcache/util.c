// SPDX-License-Identifier: GPL-2.0
/* Helpers shared by the bcache userspace tools. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <linux/fs.h>

#include "util.h"

const char *prog = "bcache";

void errmsg(const char *dev, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	if (dev)
		fprintf(stderr, "%s: ", dev);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int parse_size(const char *s, u64 *bytes)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	switch (*end) {
	case 'k': case 'K':
		shift = 10;
		break;
	case 'm': case 'M':
		shift = 20;
		break;
	case 'g': case 'G':
		shift = 30;
		break;
	case '\0':
		break;
	default:
		return -EINVAL;
	}
	if (shift) {
		end++;
		if (!strcmp(end, "iB") || !strcmp(end, "B"))
			end += strlen(end);
	}
	if (*end || (shift && v > (~0ULL >> shift)))
		return -EINVAL;
	*bytes = (u64)v << shift;
	return 0;
}

const char *fmt_size(u64 bytes, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB",
					     "PiB", "EiB" };
	unsigned int u = 0;

	while (u < 6 && bytes >= 1024 && !(bytes & 1023)) {
		bytes >>= 10;
		u++;
	}
	if (bytes >= 10240 && u < 6) {
		double v = bytes;

		while (v >= 1024 && u < 6) {
			v /= 1024;
			u++;
		}
		snprintf(buf, len, "%.1f %s", v, units[u]);
		return buf;
	}
	snprintf(buf, len, "%llu %s", (unsigned long long)bytes, units[u]);
	return buf;
}

/* Read a small decimal number from sysfs; 0 if absent. */
static u32 sysfs_u32(dev_t rdev, const char *attr)
{
	char path[128], line[32];
	const char *const fmts[] = { "/sys/dev/block/%u:%u/queue/%s",
				     "/sys/dev/block/%u:%u/../queue/%s" };
	unsigned long v;
	size_t i;
	FILE *f;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), fmts[i], major(rdev), minor(rdev),
			 attr);
		f = fopen(path, "re");
		if (!f)
			continue;
		v = fgets(line, sizeof(line), f) ? strtoul(line, NULL, 10) : 0;
		fclose(f);
		return v > 0xffffffffUL ? 0 : v;
	}
	return 0;
}

int dev_open(const char *path, bool write, struct dev_info *d)
{
	struct stat st;
	int flags = O_CLOEXEC | (write ? O_RDWR : O_RDONLY);
	int err;

	memset(d, 0, sizeof(*d));
	d->fd = -1;
	if (stat(path, &st)) {
		err = -errno;
		errmsg(path, "%s", strerror(errno));
		return err;
	}
	if (S_ISBLK(st.st_mode)) {
		d->is_blk = true;
		if (write)
			flags |= O_EXCL;
	} else if (!S_ISREG(st.st_mode)) {
		errmsg(path, "not a block device or regular file");
		return -EINVAL;
	}
	d->fd = open(path, flags);
	if (d->fd < 0) {
		err = -errno;
		if (errno == EBUSY)
			errmsg(path, "device is busy (mounted, in use or held by another driver)");
		else
			errmsg(path, "cannot open: %s", strerror(errno));
		return err;
	}
	if (!d->is_blk) {
		d->bytes = st.st_size;
		d->logical_bs = 512;
		return 0;
	}
	if (ioctl(d->fd, BLKGETSIZE64, &d->bytes) ||
	    ioctl(d->fd, BLKSSZGET, &d->logical_bs)) {
		err = -errno;
		errmsg(path, "cannot get device size: %s", strerror(errno));
		close(d->fd);
		d->fd = -1;
		return err;
	}
	if (ioctl(d->fd, BLKIOOPT, &d->io_opt))
		d->io_opt = 0;
	d->discard_gran = sysfs_u32(st.st_rdev, "discard_granularity");
	return 0;
}

int read_full(int fd, void *buf, size_t len, u64 off)
{
	u8 *p = buf;
	ssize_t n;

	while (len) {
		n = pread(fd, p, len, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			return -EIO;
		p += n;
		len -= n;
		off += n;
	}
	return 0;
}

int write_full(int fd, const void *buf, size_t len, u64 off)
{
	const u8 *p = buf;
	ssize_t n;

	while (len) {
		n = pwrite(fd, p, len, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			return -EIO;
		p += n;
		len -= n;
		off += n;
	}
	return 0;
}

int write_zeroes(int fd, u64 off, u64 len)
{
	static const u8 zero[1 << 16];
	size_t n;
	int ret;

	while (len) {
		n = len < sizeof(zero) ? len : sizeof(zero);
		ret = write_full(fd, zero, n, off);
		if (ret)
			return ret;
		off += n;
		len -= n;
	}
	return 0;
}

int read_sb(const struct dev_info *d, struct bch_sb *sb)
{
	if (d->bytes < BCH_SB_OFFSET + BCH_SB_BYTES)
		return -ENOSPC;
	return read_full(d->fd, sb, sizeof(*sb), BCH_SB_OFFSET);
}

int random_bytes(void *buf, size_t len)
{
	u8 *p = buf;
	ssize_t n;

	while (len) {
		n = getrandom(p, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= n;
	}
	return 0;
}

int uuid_generate_v4(u8 *uuid)
{
	int ret = random_bytes(uuid, BCH_UUID_LEN);

	uuid[6] = (uuid[6] & 0x0f) | 0x40;
	uuid[8] = (uuid[8] & 0x3f) | 0x80;
	return ret;
}

void uuid_to_str(const u8 *u, char *s)
{
	snprintf(s, UUID_STR_LEN,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
		 u[10], u[11], u[12], u[13], u[14], u[15]);
}
