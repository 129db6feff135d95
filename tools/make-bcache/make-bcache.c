// SPDX-License-Identifier: GPL-2.0
/*
 * make-bcache: format a cache device.
 *
 * Order of operations, so that an interrupted format never leaves a device
 * that looks valid: check everything, zero any old superblock first, wipe
 * foreign signatures (--wipe), discard (--discard), write every metadata
 * area, fsync, write the superblock last, fsync.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/falloc.h>
#include <linux/fs.h>

#include "util.h"

/* Device hints are used for the bucket size only within this range. */
#define HINT_MIN	(64U << 10)
#define HINT_MAX	(BCH_BUCKET_MAX << BCH_SECTOR_SHIFT)

struct opts {
	const char	*dev;
	const char	*label;
	u64		bucket;		/* bytes, 0 = default */
	u64		block;		/* bytes, 0 = default */
	u32		journal;	/* buckets, 0 = default */
	bool		discard;
	bool		wipe;
	bool		quiet;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: make-bcache -C DEVICE [options]\n"
		"Format DEVICE (a block device or an image file) as a bcache cache device.\n"
		"\n"
		"  -C, --cache DEVICE    the device to format\n"
		"  -b, --bucket SIZE     bucket size, power of two, 4k..16M (default: from the\n"
		"                        device's discard granularity or optimal I/O size, else 512k)\n"
		"  -w, --block SIZE      block size, power of two, 512..64k, <= bucket size\n"
		"                        (default: 4k or the logical block size if larger)\n"
		"  -j, --journal N       journal buckets, 2..4096 (default: 1/128 of the buckets,\n"
		"                        4..256)\n"
		"  -l, --label LABEL     label, at most 31 bytes\n"
		"      --discard         discard the whole device first, and enable discard\n"
		"      --wipe            erase existing signatures (filesystems, partition tables,\n"
		"                        RAID/LVM members, swap, an old bcache superblock)\n"
		"  -q, --quiet           do not print the resulting layout\n"
		"  -h, --help            show this help\n"
		"\n"
		"SIZE is in bytes, with an optional k, M or G suffix (powers of 1024).\n");
}

static int parse_pow2(const char *dev, const char *what, const char *arg,
		      u64 min, u64 max, u64 *out)
{
	char a[32], b[32];

	if (parse_size(arg, out)) {
		errmsg(dev, "invalid %s size '%s'", what, arg);
		return -EINVAL;
	}
	if (!bch_is_pow2(*out)) {
		errmsg(dev, "%s size %s is not a power of two", what, arg);
		return -EINVAL;
	}
	if (*out < min || *out > max) {
		errmsg(dev, "%s size %s is out of range (%s to %s)", what, arg,
		       fmt_size(min, a, sizeof(a)), fmt_size(max, b,
							     sizeof(b)));
		return -EINVAL;
	}
	return 0;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	enum { OPT_DISCARD = 256, OPT_WIPE };
	static const struct option lopts[] = {
		{ "cache", required_argument, NULL, 'C' },
		{ "bucket", required_argument, NULL, 'b' },
		{ "block", required_argument, NULL, 'w' },
		{ "journal", required_argument, NULL, 'j' },
		{ "label", required_argument, NULL, 'l' },
		{ "discard", no_argument, NULL, OPT_DISCARD },
		{ "wipe", no_argument, NULL, OPT_WIPE },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *bucket = NULL, *block = NULL, *journal = NULL;
	char *end;
	unsigned long j;
	int c;

	while ((c = getopt_long(argc, argv, "C:b:w:j:l:qh", lopts, NULL)) != -1) {
		switch (c) {
		case 'C':
			o->dev = optarg;
			break;
		case 'b':
			bucket = optarg;
			break;
		case 'w':
			block = optarg;
			break;
		case 'j':
			journal = optarg;
			break;
		case 'l':
			o->label = optarg;
			break;
		case OPT_DISCARD:
			o->discard = true;
			break;
		case OPT_WIPE:
			o->wipe = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		errmsg(NULL, "unexpected argument '%s' (use -C DEVICE)",
		       argv[optind]);
		return -EINVAL;
	}
	if (!o->dev) {
		errmsg(NULL, "no device given (use -C DEVICE)");
		usage(stderr);
		return -EINVAL;
	}
	if (o->label && strlen(o->label) >= BCH_LABEL_LEN) {
		errmsg(o->dev, "label is longer than %d bytes", BCH_LABEL_LEN - 1);
		return -EINVAL;
	}
	if (journal) {
		errno = 0;
		j = strtoul(journal, &end, 10);
		if (errno || *end || *journal < '0' || *journal > '9' ||
		    j < BCH_JOURNAL_MIN || j > BCH_JOURNAL_MAX) {
			errmsg(o->dev, "journal must be 2 to 4096 buckets, not '%s'",
			       journal);
			return -EINVAL;
		}
		o->journal = j;
	}
	if (bucket && parse_pow2(o->dev, "bucket", bucket,
				 BCH_BUCKET_MIN << BCH_SECTOR_SHIFT,
				 BCH_BUCKET_MAX << BCH_SECTOR_SHIFT, &o->bucket))
		return -EINVAL;
	if (block && parse_pow2(o->dev, "block", block,
				BCH_BLOCK_MIN << BCH_SECTOR_SHIFT,
				BCH_BLOCK_MAX << BCH_SECTOR_SHIFT, &o->block))
		return -EINVAL;
	if (o->bucket && o->block && o->block > o->bucket) {
		errmsg(o->dev, "block size %s is larger than bucket size %s",
		       block, bucket);
		return -EINVAL;
	}
	return 0;
}

static bool good_hint(u32 v, u64 block)
{
	return v >= HINT_MIN && v <= HINT_MAX && v >= block && bch_is_pow2(v);
}

/* Fill in default sizes from the device; check them against it. */
static int pick_sizes(struct opts *o, const struct dev_info *d)
{
	char a[32], b[32];

	if (!o->block)
		o->block = d->logical_bs > 4096 ? d->logical_bs : 4096;
	if (o->block < d->logical_bs) {
		errmsg(o->dev, "block size %s is below the device's logical block size %s",
		       fmt_size(o->block, a, sizeof(a)),
		       fmt_size(d->logical_bs, b, sizeof(b)));
		return -EINVAL;
	}
	if (!o->bucket) {
		if (good_hint(d->discard_gran, o->block))
			o->bucket = d->discard_gran;
		else if (good_hint(d->io_opt, o->block))
			o->bucket = d->io_opt;
		else
			o->bucket = BCH_BUCKET_DEFAULT << BCH_SECTOR_SHIFT;
		if (o->bucket < o->block)
			o->bucket = o->block;
	}
	if (o->block > o->bucket) {
		errmsg(o->dev, "block size %s is larger than bucket size %s",
		       fmt_size(o->block, a, sizeof(a)),
		       fmt_size(o->bucket, b, sizeof(b)));
		return -EINVAL;
	}
	return 0;
}

static int compute_sb(const struct opts *o, const struct dev_info *d,
		      struct bch_sb *sb)
{
	struct bch_layout_req req = {
		.device_sectors = d->bytes >> BCH_SECTOR_SHIFT,
		.block_sectors = o->block >> BCH_SECTOR_SHIFT,
		.bucket_sectors = o->bucket >> BCH_SECTOR_SHIFT,
		.journal_buckets = o->journal,
		.flags = o->discard ? BCH_SB_DISCARD : 0,
		.created = time(NULL),
		.label = o->label,
	};
	const char *why = "";
	char a[32], b[32];
	int ret;

	ret = uuid_generate_v4(req.uuid);
	if (ret) {
		errmsg(o->dev, "cannot get random bytes: %s", strerror(-ret));
		return ret;
	}
	ret = bch_layout_calc(&req, sb, &why);
	if (ret == -ENOSPC) {
		u64 min = bch_layout_min_sectors(req.block_sectors,
						 req.bucket_sectors,
						 req.journal_buckets);

		errmsg(o->dev, "device is too small (%s): need at least %s",
		       fmt_size(d->bytes, a, sizeof(a)),
		       fmt_size(min << BCH_SECTOR_SHIFT, b, sizeof(b)));
	} else if (ret) {
		errmsg(o->dev, "%s", why);
	}
	return ret;
}

/* Refuse foreign signatures and our own superblock unless --wipe. */
static int check_existing(const struct opts *o, const struct dev_info *d)
{
	struct bch_sb old;
	char what[64];
	int ret;

	if (!read_sb(d, &old) &&
	    !memcmp(old.magic, bch_sb_magic, BCH_SB_MAGIC_LEN)) {
		errmsg(o->dev, "already a bcache cache device; use --wipe");
		return -EEXIST;
	}
	ret = sig_find(d->fd, what, sizeof(what));
	if (ret < 0) {
		errmsg(o->dev, "cannot probe for existing signatures");
		return ret;
	}
	if (ret) {
		errmsg(o->dev, "has an existing signature (%s); use --wipe to erase it",
		       what);
		return -EEXIST;
	}
	return 0;
}

static void do_discard(const struct opts *o, const struct dev_info *d)
{
	u64 range[2] = { 0, d->bytes };
	int ret;

	if (d->is_blk)
		ret = ioctl(d->fd, BLKDISCARD, range);
	else
		ret = fallocate(d->fd, FALLOC_FL_PUNCH_HOLE |
				FALLOC_FL_KEEP_SIZE, 0, d->bytes);
	if (ret)
		errmsg(o->dev, "warning: discard failed: %s; continuing",
		       strerror(errno));
}

static int sync_fd(const char *dev, int fd)
{
	if (!fsync(fd))
		return 0;
	errmsg(dev, "fsync failed: %s", strerror(errno));
	return -EIO;
}

static int format(const struct opts *o, const struct dev_info *d,
		  struct bch_sb *sb)
{
	int ret;

	/* 1. An interrupted format must not leave the old superblock. */
	ret = write_zeroes(d->fd, BCH_SB_OFFSET, BCH_SB_BYTES);
	if (ret) {
		errmsg(o->dev, "cannot erase the old superblock: %s",
		       strerror(-ret));
		return ret;
	}
	ret = sync_fd(o->dev, d->fd);
	if (ret)
		return ret;
	if (o->wipe) {
		ret = sig_wipe_all(d->fd, o->dev, o->quiet);
		if (ret < 0)
			return ret;
		if (ret && d->is_blk)
			ioctl(d->fd, BLKRRPART);
	}
	if (o->discard)
		do_discard(o, d);
	ret = format_areas(d, o->dev, sb);
	if (ret)
		return ret;
	/* 2. The superblock last. */
	ret = write_full(d->fd, sb, sizeof(*sb), BCH_SB_OFFSET);
	if (ret) {
		errmsg(o->dev, "cannot write the superblock: %s",
		       strerror(-ret));
		return ret;
	}
	return sync_fd(o->dev, d->fd);
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct dev_info d;
	struct bch_sb sb;
	int ret;

	prog = "make-bcache";
	if (parse_opts(argc, argv, &o))
		return 1;
	if (dev_open(o.dev, true, &d))
		return 1;
	ret = pick_sizes(&o, &d);
	if (!ret)
		ret = compute_sb(&o, &d, &sb);
	if (!ret && !o.wipe)
		ret = check_existing(&o, &d);
	if (!ret)
		ret = format(&o, &d, &sb);
	if (close(d.fd) && !ret) {
		errmsg(o.dev, "close failed: %s", strerror(errno));
		ret = -EIO;
	}
	if (ret)
		return 1;
	if (!o.quiet) {
		printf("%s: %s: formatted as a bcache cache device\n", prog,
		       o.dev);
		sb_print(stdout, &sb);
	}
	return 0;
}
