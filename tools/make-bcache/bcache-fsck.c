// SPDX-License-Identifier: GPL-2.0
/*
 * bcache-fsck: read-only offline check of a bcache cache device or image.
 *
 * Never writes: the device is opened O_RDONLY (and, for a block device,
 * O_EXCL, so that a registered cache is refused instead of being checked
 * while the kernel changes it). See fsck.h for how the check works and
 * bcache-fsck.8 for what it reports.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsck.h"

static void show_usage(FILE *out)
{
	fprintf(out,
		"Usage: bcache-fsck [-v] [--layout] DEVICE|IMAGE\n"
		"Check a bcache cache device offline, read-only.\n"
		"\n"
		"  -v, --verbose  print details of every structure\n"
		"      --layout   print one line per metadata structure found\n"
		"  -h, --help     show this help\n"
		"\n"
		"Exit status: 0 no errors, 4 inconsistencies found, 8 operational\n"
		"error (cannot read, not a bcache cache device), 16 usage error.\n");
}

static void report(struct fsck *f, const char *kind, const char *fmt,
		   va_list ap)
{
	fprintf(f->out, "%s: %s", f->name, kind);
	vfprintf(f->out, fmt, ap);
	fputc('\n', f->out);
}

void fsck_error(struct fsck *f, const char *fmt, ...)
{
	va_list ap;

	f->errors++;
	if (f->printed++ >= FSCK_MAX_PRINTED)
		return;
	va_start(ap, fmt);
	report(f, "error: ", fmt, ap);
	va_end(ap);
}

void fsck_warning(struct fsck *f, const char *fmt, ...)
{
	va_list ap;

	f->warnings++;
	if (f->printed++ >= FSCK_MAX_PRINTED)
		return;
	va_start(ap, fmt);
	report(f, "warning: ", fmt, ap);
	va_end(ap);
}

void fsck_info(struct fsck *f, const char *fmt, ...)
{
	va_list ap;

	if (!f->verbose)
		return;
	va_start(ap, fmt);
	report(f, "", fmt, ap);
	va_end(ap);
}

void fsck_layout(struct fsck *f, const char *type, u32 *idx, u64 sector,
		 u64 bytes, const char *fmt, ...)
{
	va_list ap;

	if (!f->layout)
		return;
	printf("%s %u %llu %llu", type, (*idx)++, sector, bytes);
	if (fmt) {
		putchar(' ');
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	putchar('\n');
}

int fsck_read(struct fsck *f, void *buf, size_t len, u64 sector,
	      const char *what)
{
	int ret;

	if ((sector << BCH_SECTOR_SHIFT) + len > f->dev_bytes)
		ret = -EIO;
	else
		ret = read_full(f->fd, buf, len, sector << BCH_SECTOR_SHIFT);
	if (ret) {
		errmsg(f->path, "cannot read the %s at sector %llu: %s", what,
		       sector, ret == -EIO ? "short read or I/O error" :
		       strerror(-ret));
		f->io_error = true;
	}
	return ret;
}

void *fsck_alloc(struct fsck *f, size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p) {
		errmsg(f->path, "out of memory");
		f->io_error = true;
	}
	return p;
}

/* A raw key position as "dev:sector", the end of the key space as "end". */
const char *fsck_pos(u64 raw, char *buf, size_t len)
{
	if (raw == ~0ULL)
		snprintf(buf, len, "end");
	else
		snprintf(buf, len, "%u:%llu", (u8)(raw >> BCH_KEY_DEV_SHIFT),
			 raw & BCH_KEY_START_MASK);
	return buf;
}

static const char busy[] =
	"device is in use (a registered cache?): unregister it, or check a copy";

/* How many of @len bytes differ: "damaged" rather than "something else". */
u32 fsck_bytes_differ(const void *a, const void *b, size_t len)
{
	const u8 *x = a, *y = b;
	u32 n = 0;

	while (len--)
		n += *x++ != *y++;
	return n;
}

/* Open read-only; a block device also exclusively. 0 or an exit code. */
static int fsck_open(struct fsck *f)
{
	struct dev_info d;
	int fd;

	if (dev_open(f->path, false, &d))
		return FSCK_EXIT_OPERATIONAL;
	f->fd = d.fd;
	f->dev_bytes = d.bytes;
	if (!d.is_blk)
		return 0;
	fd = open(f->path, O_RDONLY | O_EXCL | O_CLOEXEC);
	if (fd < 0) {
		if (errno == EBUSY)
			errmsg(f->path, "%s", busy);
		else
			errmsg(f->path, "cannot open: %s", strerror(errno));
		return FSCK_EXIT_OPERATIONAL;
	}
	close(f->fd);
	f->fd = fd;
	return 0;
}

/* The superblock and the geometry; 0 or an exit code. */
static int fsck_super(struct fsck *f)
{
	const char *why = "";
	struct bch_sb sb;
	char uuid[UUID_STR_LEN];
	u32 bucket_bytes, keys, idx = 0;
	int ret;

	if (f->dev_bytes < BCH_SB_OFFSET + BCH_SB_BYTES) {
		errmsg(f->path, "not a bcache cache device: too small to hold a superblock");
		return FSCK_EXIT_OPERATIONAL;
	}
	if (fsck_read(f, &sb, sizeof(sb), BCH_SB_SECTOR, "superblock"))
		return FSCK_EXIT_OPERATIONAL;
	ret = bch_sb_validate(&sb, sizeof(sb),
			      f->dev_bytes >> BCH_SECTOR_SHIFT, &f->g, &why);
	if (ret == -ENODATA) {
		errmsg(f->path, "not a bcache cache device (no superblock magic at byte 4096)");
		return FSCK_EXIT_OPERATIONAL;
	}
	if (ret) {
		errmsg(f->path, "invalid superblock: %s", why);
		return FSCK_EXIT_OPERATIONAL;
	}
	fsck_layout(f, "sb", &idx, BCH_SB_SECTOR, BCH_SB_BYTES,
		    "seq=%llu", le64_to_cpu(sb.seq));
	if (f->g.ro_compat_unknown) {
		/* Their structures are unknown: as the kernel, refuse. */
		errmsg(f->path, "unsupported read-only compatible features %#llx: cannot check",
		       f->g.ro_compat_unknown);
		return FSCK_EXIT_OPERATIONAL;
	}
	uuid_to_str(sb.set_uuid, uuid);
	fsck_info(f, "superblock: uuid %s, %llu buckets of %u sectors, blocks of %u sectors",
		  uuid, f->g.nbuckets, f->g.bucket_sectors,
		  f->g.block_sectors);
	fsck_info(f, "superblock: uuid area at bucket %llu, %u prio pages at bucket %llu",
		  f->g.uuid_bucket, f->g.prio_pages, f->g.prio_bucket);
	fsck_info(f, "superblock: journal buckets %llu..%llu, data buckets %llu..%llu",
		  f->g.journal_bucket,
		  f->g.journal_bucket + f->g.journal_buckets - 1,
		  f->g.data_bucket, f->g.nbuckets - 1);

	/* The kernel's cap on live keys per node (btree.c bch_btree_init). */
	bucket_bytes = f->g.bucket_sectors << BCH_SECTOR_SHIFT;
	keys = (bucket_bytes - sizeof(struct bch_bset)) /
	       sizeof(struct bch_key);
	if (keys > 1024)
		keys = 1024;
	while (keys > 4 && bch_bset_bytes(&f->g, keys) > bucket_bytes)
		keys--;
	f->leaf_max = keys;
	f->buf = fsck_alloc(f, 1, bucket_bytes);
	return f->buf ? 0 : FSCK_EXIT_OPERATIONAL;
}

static void summary(struct fsck *f)
{
	char journal[96];
	const struct fsck_jent *n = f->newest;

	if (!n)
		snprintf(journal, sizeof(journal), "no journal");
	else if (n->flags & BCH_JSET_CLEAN)
		snprintf(journal, sizeof(journal),
			 "journal seq %llu..%llu (clean shutdown)",
			 f->last_seq, n->seq);
	else
		snprintf(journal, sizeof(journal),
			 "journal seq %llu..%llu (not shut down cleanly, %u keys replayed)",
			 f->last_seq, n->seq, f->replay_keys);
	if (f->printed > FSCK_MAX_PRINTED)
		fprintf(f->out, "%s: %u more errors and warnings not shown\n",
			f->name, f->printed - FSCK_MAX_PRINTED);
	fprintf(f->out, "%s: %s: %u nodes, %llu keys, ", f->name,
		f->errors ? "INCONSISTENT" : "clean", f->nodes, f->disk_keys);
	fprintf(f->out, "%llu live extents (%llu sectors), %llu stale, ",
		f->live, f->live_sectors, f->stale);
	fprintf(f->out, "%llu buckets used, %s, ", f->buckets_used, journal);
	fprintf(f->out, "%u error%s, %u warning%s\n", f->errors,
		f->errors == 1 ? "" : "s", f->warnings,
		f->warnings == 1 ? "" : "s");
}

static void fsck_free(struct fsck *f)
{
	u32 i;

	for (i = 0; i < f->njents; i++)
		free(f->jents[i].keys);
	for (i = 0; i < f->nranges; i++)
		fkeys_free(&f->ranges[i].keys);
	free(f->jents);
	free(f->jend);
	free(f->ranges);
	free(f->node_map);
	free(f->prio);
	free(f->prio_known);
	free(f->uuids);
	free(f->buf);
	if (f->fd >= 0)
		close(f->fd);
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "layout", no_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct fsck f = { .fd = -1 };
	const char *slash;
	int c, ret;

	prog = "bcache-fsck";
	opterr = 0;
	while ((c = getopt_long(argc, argv, "vh", lopts, NULL)) != -1) {
		switch (c) {
		case 'v':
			f.verbose = true;
			break;
		case 'L':
			f.layout = true;
			break;
		case 'h':
			show_usage(stdout);
			return FSCK_EXIT_OK;
		default:
			if (optopt)
				errmsg(NULL, "unknown option -%c", optopt);
			else
				errmsg(NULL, "unknown option %s",
				       argv[optind - 1]);
			show_usage(stderr);
			return FSCK_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		errmsg(NULL, "no device given");
		show_usage(stderr);
		return FSCK_EXIT_USAGE;
	}
	if (optind + 1 < argc) {
		errmsg(NULL, "unexpected argument %s", argv[optind + 1]);
		show_usage(stderr);
		return FSCK_EXIT_USAGE;
	}
	f.path = argv[optind];
	slash = strrchr(f.path, '/');
	f.name = slash && slash[1] ? slash + 1 : f.path;
	f.out = f.layout ? stderr : stdout;

	ret = fsck_open(&f);
	if (!ret)
		ret = fsck_super(&f);
	if (ret)
		goto out;
	fsck_uuids(&f);
	if (!f.io_error)
		fsck_prios(&f);
	if (!f.io_error)
		fsck_journal(&f);
	if (!f.io_error)
		fsck_btree(&f);
	if (!f.io_error)
		fsck_replay(&f);
	if (!f.io_error)
		fsck_check_extents(&f);
	if (f.io_error) {
		errmsg(f.path, "check not completed");
		ret = FSCK_EXIT_OPERATIONAL;
		goto out;
	}
	summary(&f);
	ret = f.errors ? FSCK_EXIT_ERRORS : FSCK_EXIT_OK;
out:
	fflush(stdout);
	fsck_free(&f);
	return ret;
}
