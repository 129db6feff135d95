// SPDX-License-Identifier: GPL-2.0
/*
 * replay-log-writes: read a dm-log-writes log and replay it onto a device.
 *
 * The log format (written by the kernel's drivers/md/dm-log-writes.c, see
 * Documentation/admin-guide/device-mapper/log-writes.rst) is:
 *
 *   byte 0:           struct lw_super (magic, version 1, nr_entries,
 *                     sectorsize), padded to one sector of sectorsize bytes
 *   then nr_entries times:
 *     one sector:     struct lw_entry (sector, nr_sectors, flags, data_len),
 *                     for a MARK followed by its name (data_len bytes)
 *     nr_sectors sectors of data, except for DISCARD and MARK entries
 *
 * All fields are little endian; sector and nr_sectors count sectorsize
 * units (the logical block size of the logged device). There are no
 * checksums: every header is checked for sanity instead, and nr_entries
 * is taken from the super, which the kernel rewrites after each FUA or
 * MARK entry and when the target is removed (the "dm-log-writes-end"
 * mark), so a log is complete only after a clean removal.
 *
 * Order: a plain write is logged only when a later flush completes (all
 * writes completed before the flush was issued, then the flush entry); a
 * FUA write is logged as soon as it completes; discards are ordered like
 * plain writes. Every prefix of the log that ends with a FLUSH or FUA
 * entry is therefore a state the device may be in after a power failure.
 *
 * Commands:
 *   info LOG            the super and entry counts
 *   list LOG            one line per entry
 *   points LOG          one line per crash point (see usage())
 *   replay LOG TARGET   write entries [--from, --to) onto TARGET
 *   compare A B         compare two devices block by block (O_DIRECT)
 *
 * DISCARD entries zero their range by default (--discard=zero): the test
 * disks (QEMU raw images with discard=unmap) read back zeroes after a
 * discard, so this reproduces what the logged device held. --discard=skip
 * leaves the range as it was (the other legal outcome of a discard).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/fs.h>

#include <bcache/ondisk_env.h>

/* The kernel's __printf(); split so it is not mistaken for a use. */
#define __printf(a, b)	__attribute__((				\
			format(printf, a, b)))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define LW_MAGIC		0x6a736677736872ULL
#define LW_VERSION		1ULL

#define LW_FLUSH		BIT_ULL(0)
#define LW_FUA			BIT_ULL(1)
#define LW_DISCARD		BIT_ULL(2)
#define LW_MARK			BIT_ULL(3)
#define LW_META			BIT_ULL(4)
#define LW_KNOWN		(LW_FLUSH | LW_FUA | LW_DISCARD | LW_MARK | \
				 LW_META)

/* Largest data payload of one entry we accept (a sanity bound). */
#define LW_MAX_DATA		(64ULL << 20)
/* Largest sector size dm-log-writes can use (a page). */
#define LW_MAX_SECTOR		4096U
#define U64_MAX_		(~0ULL)
/* compare: bytes per read of the second device */
#define CMP_CHUNK		BIT_ULL(20)

/* Both start a sector; no padding before the last field. */
struct lw_super {
	__le64		magic;
	__le64		version;
	__le64		nr_entries;
	__le32		sectorsize;
};

struct lw_entry {
	__le64		sector;
	__le64		nr_sectors;
	__le64		flags;
	__le64		data_len;
};

BUILD_BUG_ON(sizeof(struct lw_entry) != 32);

/* One decoded entry. */
struct entry {
	u64	index;
	u64	pos;		/* its header: byte offset in the log */
	u64	offset;		/* byte offset on the logged device */
	u64	bytes;		/* bytes written or discarded */
	u64	flags;
	u64	data_pos;	/* byte offset of the data in the log */
	char		mark[LW_MAX_SECTOR];
};

struct log {
	const char	*path;
	int		fd;
	u64	size;
	u64	nr_entries;
	u32	sectorsize;
	/* The cursor: the entry next() decodes. */
	u64	next_index;
	u64	next_pos;
};

static const char *prog = "replay-log-writes";

__printf(1, 2) static void err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [options] COMMAND LOG [TARGET]\n"
		"Read a dm-log-writes log; replay it onto a device.\n"
		"\n"
		"Commands:\n"
		"  info LOG           super and counts: \"entries N sectorsize S\n"
		"                     writes W flushes F fua U discards D marks M\n"
		"                     bytes B\"\n"
		"  list LOG           one line per entry:\n"
		"                     INDEX FLAGS OFFSET BYTES [MARK]\n"
		"                     FLAGS: \"write\" or a comma-separated set of\n"
		"                     flush, fua, discard, mark, meta; OFFSET and\n"
		"                     BYTES in bytes on the logged device\n"
		"  points LOG         one line per crash point, in log order:\n"
		"                     END KIND CHANGED MARKS\n"
		"                     the state is entries [0, END); KIND is flush,\n"
		"                     fua or flush,fua (entry END-1), \"mark\" (a mark\n"
		"                     logged while writes were not yet flushed) or\n"
		"                     \"end\" (the whole log, if it ends with unflushed\n"
		"                     writes); CHANGED counts write and discard\n"
		"                     entries since the previous point (0: the same\n"
		"                     state); MARKS names the marks logged in this\n"
		"                     state, comma-separated, or \"-\"\n"
		"  replay LOG TARGET  write entries [FROM, TO) onto TARGET, then\n"
		"                     fsync it; TARGET must hold the state after\n"
		"                     entries [0, FROM)\n"
		"  compare A B        read both devices with O_DIRECT, BS bytes per\n"
		"                     read, and report the blocks that differ\n"
		"\n"
		"Options:\n"
		"  --from N           first entry to replay (default 0)\n"
		"  --to N             replay the entries before N (default: all)\n"
		"  --to-mark NAME     replay the entries before the first mark NAME\n"
		"  --discard MODE     zero (default): a DISCARD zeroes its range;\n"
		"                     skip: leave the range as it was\n"
		"  --bs N             compare: bytes per read (default 4096)\n"
		"  --offset N         compare: first byte (default 0)\n"
		"  --length N         compare: bytes (default: to the end of A)\n"
		"  -v, --verbose      replay: print each entry applied\n"
		"  -h, --help         show this help\n", prog);
}

static int read_at(const struct log *l, void *buf, size_t len, u64 pos)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = pread(l->fd, (char *)buf + done, len - done, pos + done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err("%s: read at byte %llu: %s", l->path,
			    pos + done, strerror(errno));
			return -1;
		}
		if (n == 0) {
			err("%s: truncated: no data at byte %llu",
			    l->path, pos + done);
			return -1;
		}
		done += n;
	}
	return 0;
}

static int dev_size(int fd, const char *path, u64 *size)
{
	struct stat st;

	if (fstat(fd, &st)) {
		err("%s: %s", path, strerror(errno));
		return -1;
	}
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(fd, BLKGETSIZE64, size)) {
			err("%s: BLKGETSIZE64: %s", path, strerror(errno));
			return -1;
		}
		return 0;
	}
	if (!S_ISREG(st.st_mode)) {
		err("%s: not a block device or a regular file", path);
		return -1;
	}
	*size = st.st_size;
	return 0;
}

static int log_open(struct log *l, const char *path)
{
	unsigned char buf[sizeof(struct lw_super)];
	struct lw_super s;
	u32 ss;

	memset(l, 0, sizeof(*l));
	l->path = path;
	l->fd = open(path, O_RDONLY);
	if (l->fd < 0) {
		err("%s: %s", path, strerror(errno));
		return -1;
	}
	if (dev_size(l->fd, path, &l->size))
		return -1;
	if (l->size < sizeof(buf)) {
		err("%s: too small for a dm-log-writes super (%llu bytes)",
		    path, l->size);
		return -1;
	}
	if (read_at(l, buf, sizeof(buf), 0))
		return -1;
	memcpy(&s, buf, sizeof(s));
	if (le64_to_cpu(s.magic) != LW_MAGIC) {
		err("%s: not a dm-log-writes log (magic %#llx, expected %#llx)",
		    path, le64_to_cpu(s.magic), LW_MAGIC);
		return -1;
	}
	if (le64_to_cpu(s.version) != LW_VERSION) {
		err("%s: log version %llu not supported (only %llu)",
		    path, le64_to_cpu(s.version), LW_VERSION);
		return -1;
	}
	ss = le32_to_cpu(s.sectorsize);
	if (ss < 512 || ss > LW_MAX_SECTOR || (ss & (ss - 1))) {
		err("%s: bad sector size %u in the super", path, ss);
		return -1;
	}
	l->sectorsize = ss;
	l->nr_entries = le64_to_cpu(s.nr_entries);
	if (l->nr_entries > l->size / ss) {
		err("%s: super claims %llu entries, more than the log can hold",
		    path, l->nr_entries);
		return -1;
	}
	l->next_index = 0;
	l->next_pos = ss;
	return 0;
}

static void flags_str(u64 flags, char *buf, size_t len)
{
	static const struct {
		u64	bit;
		const char	*name;
	} names[] = {
		{ LW_FLUSH, "flush" },
		{ LW_FUA, "fua" },
		{ LW_DISCARD, "discard" },
		{ LW_MARK, "mark" },
		{ LW_META, "meta" },
	};
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (!(flags & names[i].bit))
			continue;
		n += snprintf(buf + n, len - n, "%s%s", n ? "," : "",
			      names[i].name);
		if (n >= len)
			break;
	}
	if (!buf[0])
		snprintf(buf, len, "write");
}

/*
 * Decode the entry at the cursor into @e and advance. Returns 1 for an
 * entry, 0 at the end of the log, -1 on a bad entry (after a message).
 */
static int log_next(struct log *l, struct entry *e)
{
	unsigned char hdr[LW_MAX_SECTOR];
	u64 nr, len, ss = l->sectorsize, data;
	struct lw_entry le;

	if (l->next_index >= l->nr_entries)
		return 0;
	if (l->next_pos > l->size || l->size - l->next_pos < ss) {
		err("%s: entry %llu: header beyond the end of the log",
		    l->path, l->next_index);
		return -1;
	}
	if (read_at(l, hdr, ss, l->next_pos))
		return -1;
	memcpy(&le, hdr, sizeof(le));
	e->index = l->next_index;
	e->pos = l->next_pos;
	e->flags = le64_to_cpu(le.flags);
	nr = le64_to_cpu(le.nr_sectors);
	len = le64_to_cpu(le.data_len);
	e->mark[0] = '\0';
	if (e->flags & ~LW_KNOWN) {
		err("%s: entry %llu (byte %llu): unknown flags %#llx",
		    l->path, e->index, e->pos, e->flags);
		return -1;
	}
	if (nr > LW_MAX_DATA / ss) {
		err("%s: entry %llu (byte %llu): implausible length of %llu sectors",
		    l->path, e->index, e->pos, nr);
		return -1;
	}
	if (e->flags & LW_MARK) {
		if (nr || len >= ss - sizeof(le) ||
		    (e->flags & ~(LW_MARK | LW_META))) {
			err("%s: entry %llu (byte %llu): malformed mark",
			    l->path, e->index, e->pos);
			return -1;
		}
		memcpy(e->mark, hdr + sizeof(le), len);
		e->mark[len] = '\0';
		if (strlen(e->mark) != len) {
			err("%s: entry %llu: mark name holds a NUL",
			    l->path, e->index);
			return -1;
		}
	} else if (len) {
		/* The kernel writes inline data for marks only. */
		err("%s: entry %llu (byte %llu): data_len %llu on a non-mark entry",
		    l->path, e->index, e->pos, len);
		return -1;
	}
	if ((e->flags & LW_DISCARD) && (e->flags & (LW_FLUSH | LW_FUA))) {
		err("%s: entry %llu: discard with flush or FUA",
		    l->path, e->index);
		return -1;
	}
	if (!nr && !(e->flags & (LW_FLUSH | LW_MARK))) {
		err("%s: entry %llu (byte %llu): empty write that is not a flush",
		    l->path, e->index, e->pos);
		return -1;
	}
	if (le64_to_cpu(le.sector) > U64_MAX_ / ss - nr) {
		err("%s: entry %llu: sector out of range", l->path,
		    e->index);
		return -1;
	}
	e->offset = le64_to_cpu(le.sector) * ss;
	e->bytes = nr * ss;
	e->data_pos = l->next_pos + ss;
	data = (e->flags & LW_DISCARD) ? 0 : e->bytes;
	if (e->data_pos > l->size || l->size - e->data_pos < data) {
		err("%s: entry %llu: data beyond the end of the log",
		    l->path, e->index);
		return -1;
	}
	l->next_pos = e->data_pos + data;
	l->next_index++;
	return 1;
}

/* Does the entry change data (a write or a discard with a length)? */
static bool changes_data(const struct entry *e)
{
	return !(e->flags & LW_MARK) && e->bytes;
}

static int cmd_info(struct log *l)
{
	u64 writes = 0, flushes = 0, fua = 0, discards = 0, marks = 0;
	u64 bytes = 0;
	struct entry *e;
	int ret;

	e = malloc(sizeof(*e));
	if (!e) {
		err("out of memory");
		return 1;
	}
	while ((ret = log_next(l, e)) > 0) {
		if (e->flags & LW_MARK)
			marks++;
		else if (e->flags & LW_DISCARD)
			discards++;
		else if (e->bytes)
			writes++;
		flushes += !!(e->flags & LW_FLUSH);
		fua += !!(e->flags & LW_FUA);
		if (!(e->flags & (LW_DISCARD | LW_MARK)))
			bytes += e->bytes;
	}
	free(e);
	if (ret < 0)
		return 1;
	printf("entries %llu sectorsize %u writes %llu flushes %llu fua %llu",
	       l->nr_entries, l->sectorsize, writes, flushes, fua);
	printf(" discards %llu marks %llu bytes %llu\n", discards, marks,
	       bytes);
	return 0;
}

static int cmd_list(struct log *l)
{
	struct entry *e;
	char f[64];
	int ret;

	e = malloc(sizeof(*e));
	if (!e) {
		err("out of memory");
		return 1;
	}
	while ((ret = log_next(l, e)) > 0) {
		flags_str(e->flags, f, sizeof(f));
		printf("%llu %s %llu %llu%s%s\n",
		       e->index, f, e->offset, e->bytes,
		       e->mark[0] ? " " : "", e->mark);
	}
	free(e);
	return ret < 0;
}

/* Marks collected for the point being built: "a,b" or "-". */
struct marks {
	char	*s;
	size_t	len;
};

static int marks_add(struct marks *m, const char *name)
{
	size_t n = strlen(name);
	char *s;

	s = realloc(m->s, m->len + n + 2);
	if (!s) {
		err("out of memory");
		return -1;
	}
	if (m->len)
		s[m->len++] = ',';
	memcpy(s + m->len, name, n + 1);
	m->len += n;
	m->s = s;
	return 0;
}

static void point_print(u64 end, const char *kind, u64 changed,
			const struct marks *m)
{
	printf("%llu %s %llu %s\n", end, kind, changed,
	       m->len ? m->s : "-");
}

/*
 * A point is printed once the entries after it are known not to belong to
 * it: marks logged before the next data entry or point belong to it.
 */
static int cmd_points(struct log *l)
{
	u64 changed = 0, end = 0, pend_changed = 0;
	struct marks m = { NULL, 0 };
	char kind[64], f[64];
	bool pending = false;
	struct entry *e;
	int ret;

	e = malloc(sizeof(*e));
	if (!e) {
		err("out of memory");
		return 1;
	}
	while ((ret = log_next(l, e)) > 0) {
		if (e->flags & LW_MARK) {
			if (!pending) {
				/*
				 * After unflushed writes (or before any
				 * entry): a state of its own.
				 */
				pending = true;
				end = e->index;
				pend_changed = changed;
				changed = 0;
				snprintf(kind, sizeof(kind), "mark");
			}
			if (marks_add(&m, e->mark))
				goto out;
			continue;
		}
		if (changes_data(e)) {
			if (pending)
				point_print(end, kind, pend_changed, &m);
			pending = false;
			m.len = 0;
			changed++;
		}
		if (e->flags & (LW_FLUSH | LW_FUA)) {
			if (pending)
				point_print(end, kind, pend_changed, &m);
			m.len = 0;
			pending = true;
			end = e->index + 1;
			pend_changed = changed;
			changed = 0;
			flags_str(e->flags & (LW_FLUSH | LW_FUA), f,
				  sizeof(f));
			snprintf(kind, sizeof(kind), "%s", f);
		}
	}
	if (ret < 0)
		goto out;
	if (changed) {
		if (pending)
			point_print(end, kind, pend_changed, &m);
		m.len = 0;
		point_print(l->nr_entries, "end", changed, &m);
	} else if (pending) {
		point_print(end, kind, pend_changed, &m);
	}
	ret = 0;
out:
	free(m.s);
	free(e);
	return ret < 0;
}

/* Find the index of the first mark named @name; -1 if there is none. */
static long long find_mark(struct log *l, const char *name)
{
	struct entry *e;
	long long found = -1;
	int ret;

	e = malloc(sizeof(*e));
	if (!e) {
		err("out of memory");
		return -1;
	}
	while ((ret = log_next(l, e)) > 0) {
		if ((e->flags & LW_MARK) && !strcmp(e->mark, name)) {
			found = e->index;
			break;
		}
	}
	free(e);
	if (ret >= 0 && found < 0)
		err("%s: no mark named \"%s\"", l->path, name);
	l->next_index = 0;
	l->next_pos = l->sectorsize;
	return found;
}

static int write_at(int fd, const char *path, const void *buf, size_t len,
		    u64 off)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = pwrite(fd, (const char *)buf + done, len - done,
			   off + done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err("%s: write at byte %llu: %s", path,
			    off + done, n < 0 ? strerror(errno) : "short");
			return -1;
		}
		done += n;
	}
	return 0;
}

struct replay_opts {
	u64	from;
	u64	to;
	bool		zero_discards;
	bool		verbose;
};

static int cmd_replay(struct log *l, const char *target,
		      const struct replay_opts *o)
{
	u64 tsize, applied = 0, bytes = 0, chunk, done;
	size_t bufsize = 1 << 20;
	struct entry *e = NULL;
	char *buf = NULL, f[64];
	int fd, ret = 1, r = 0;

	fd = open(target, O_WRONLY);
	if (fd < 0) {
		err("%s: %s", target, strerror(errno));
		return 1;
	}
	if (dev_size(fd, target, &tsize))
		goto out;
	e = malloc(sizeof(*e));
	buf = malloc(bufsize);
	if (!e || !buf) {
		err("out of memory");
		goto out;
	}
	while (l->next_index < o->to) {
		r = log_next(l, e);
		if (r <= 0)
			break;
		if (e->index < o->from || (e->flags & LW_MARK) || !e->bytes)
			continue;
		if (e->offset > tsize || tsize - e->offset < e->bytes) {
			err("entry %llu: bytes %llu+%llu beyond the end of %s (%llu bytes)",
			    e->index, e->offset, e->bytes, target, tsize);
			goto out;
		}
		if (o->verbose) {
			flags_str(e->flags, f, sizeof(f));
			fprintf(stderr, "%llu %s %llu %llu\n", e->index, f,
				e->offset, e->bytes);
		}
		applied++;
		if ((e->flags & LW_DISCARD) && !o->zero_discards)
			continue;
		if (e->flags & LW_DISCARD)
			memset(buf, 0, bufsize);
		for (done = 0; done < e->bytes; done += chunk) {
			chunk = e->bytes - done;
			if (chunk > bufsize)
				chunk = bufsize;
			if (!(e->flags & LW_DISCARD) &&
			    read_at(l, buf, chunk, e->data_pos + done))
				goto out;
			if (write_at(fd, target, buf, chunk, e->offset + done))
				goto out;
		}
		bytes += e->bytes;
	}
	if (r < 0)
		goto out;
	if (l->next_index < o->to) {
		err("%s: --to %llu is beyond the %llu entries of the log",
		    l->path, o->to, l->nr_entries);
		goto out;
	}
	if (fsync(fd)) {
		err("%s: fsync: %s", target, strerror(errno));
		goto out;
	}
	if (o->verbose)
		fprintf(stderr, "replayed %llu entries, %llu bytes\n",
			applied, bytes);
	ret = 0;
out:
	free(buf);
	free(e);
	if (close(fd) && !ret) {
		err("%s: close: %s", target, strerror(errno));
		ret = 1;
	}
	return ret;
}

struct compare_opts {
	u64	bs;
	u64	offset;
	u64	length;		/* U64_MAX_: to the end of A */
};

static int open_direct(const char *path, u64 *size)
{
	int fd = open(path, O_RDONLY | O_DIRECT);

	if (fd < 0) {
		err("%s: %s", path, strerror(errno));
		return -1;
	}
	if (dev_size(fd, path, size)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int read_block(int fd, const char *path, void *buf, size_t len,
		      u64 off)
{
	ssize_t n;

	do {
		n = pread(fd, buf, len, off);
	} while (n < 0 && errno == EINTR);
	if (n == (ssize_t)len)
		return 0;
	err("%s: read of %zu bytes at byte %llu: %s", path, len, off,
	    n < 0 ? strerror(errno) : "short read");
	return -1;
}

/*
 * Exit status: 0 same data, 1 the devices differ (each differing block is
 * listed, up to 16, then a count), 2 an error.
 */
static int cmd_compare(const char *a, const char *b,
		       const struct compare_opts *o)
{
	u64 asize, bsize, off, end, diff = 0, chunk, i;
	int fa = -1, fb = -1, ret = 2;
	char *ba = NULL, *bb = NULL;

	fa = open_direct(a, &asize);
	if (fa < 0)
		goto out;
	fb = open_direct(b, &bsize);
	if (fb < 0)
		goto out;
	end = o->length == U64_MAX_ ? asize : o->offset + o->length;
	if (o->offset > asize || end > asize || end > bsize ||
	    end < o->offset) {
		err("compare: bytes %llu..%llu are beyond %s (%llu) or %s (%llu)",
		    o->offset, end, a, asize, b, bsize);
		goto out;
	}
	if ((o->offset | end) % o->bs) {
		err("compare: offset and length must be multiples of %llu",
		    o->bs);
		goto out;
	}
	/* B is read in large chunks, A in blocks of BS. */
	chunk = o->bs > CMP_CHUNK ? o->bs : CMP_CHUNK;
	if (posix_memalign((void **)&ba, 4096, o->bs) ||
	    posix_memalign((void **)&bb, 4096, chunk)) {
		err("out of memory");
		goto out;
	}
	for (off = o->offset; off < end; off += chunk) {
		if (chunk > end - off)
			chunk = end - off;
		if (read_block(fb, b, bb, chunk, off))
			goto out;
		for (i = 0; i < chunk; i += o->bs) {
			if (read_block(fa, a, ba, o->bs, off + i))
				goto out;
			if (!memcmp(ba, bb + i, o->bs))
				continue;
			if (diff++ < 16)
				printf("differ: bytes %llu..%llu\n", off + i,
				       off + i + o->bs - 1);
		}
	}
	if (diff) {
		printf("%llu of %llu blocks of %llu bytes differ\n", diff,
		       (end - o->offset) / o->bs, o->bs);
		ret = 1;
	} else {
		ret = 0;
	}
out:
	free(ba);
	free(bb);
	if (fa >= 0)
		close(fa);
	if (fb >= 0)
		close(fb);
	return ret;
}

static int parse_u64(const char *s, const char *what, u64 *v)
{
	char *end;

	errno = 0;
	if (*s < '0' || *s > '9') {
		err("%s: not a number: \"%s\"", what, s);
		return -1;
	}
	*v = strtoull(s, &end, 10);
	if (errno || *end) {
		err("%s: not a number: \"%s\"", what, s);
		return -1;
	}
	return 0;
}

/* Commands: name, arguments, which options they take. */
enum { OPT_REPLAY = 1, OPT_COMPARE = 2 };

static const struct {
	const char	*name;
	int		nargs;
	int		opts;
} cmds[] = {
	{ "info", 1, 0 },
	{ "list", 1, 0 },
	{ "points", 1, 0 },
	{ "replay", 2, OPT_REPLAY },
	{ "compare", 2, OPT_COMPARE },
};

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' },
		{ "to-mark", required_argument, NULL, 'M' },
		{ "discard", required_argument, NULL, 'D' },
		{ "bs", required_argument, NULL, 'B' },
		{ "offset", required_argument, NULL, 'O' },
		{ "length", required_argument, NULL, 'L' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct replay_opts o = { 0, U64_MAX_, true, false };
	struct compare_opts co = { 4096, 0, U64_MAX_ };
	const char *cmd, *to_mark = NULL;
	int c, i, used = 0;
	bool have_to = false;
	struct log l;
	long long m;

	while ((c = getopt_long(argc, argv, "vh", lopts, NULL)) != -1) {
		switch (c) {
		case 'F':
			if (parse_u64(optarg, "--from", &o.from))
				return 2;
			used |= OPT_REPLAY;
			break;
		case 'T':
			if (parse_u64(optarg, "--to", &o.to))
				return 2;
			have_to = true;
			used |= OPT_REPLAY;
			break;
		case 'M':
			to_mark = optarg;
			used |= OPT_REPLAY;
			break;
		case 'D':
			if (!strcmp(optarg, "zero")) {
				o.zero_discards = true;
			} else if (!strcmp(optarg, "skip")) {
				o.zero_discards = false;
			} else {
				err("--discard: expected zero or skip, not \"%s\"",
				    optarg);
				return 2;
			}
			used |= OPT_REPLAY;
			break;
		case 'B':
			if (parse_u64(optarg, "--bs", &co.bs))
				return 2;
			if (co.bs < 512 || co.bs > (64 << 20) ||
			    (co.bs & (co.bs - 1))) {
				err("--bs: want a power of two, 512..64M");
				return 2;
			}
			used |= OPT_COMPARE;
			break;
		case 'O':
			if (parse_u64(optarg, "--offset", &co.offset))
				return 2;
			used |= OPT_COMPARE;
			break;
		case 'L':
			if (parse_u64(optarg, "--length", &co.length))
				return 2;
			used |= OPT_COMPARE;
			break;
		case 'v':
			o.verbose = true;
			used |= OPT_REPLAY;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	cmd = argv[optind];
	for (i = 0; i < (int)ARRAY_SIZE(cmds); i++)
		if (!strcmp(cmd, cmds[i].name))
			break;
	if (i == (int)ARRAY_SIZE(cmds)) {
		err("unknown command \"%s\"", cmd);
		usage(stderr);
		return 2;
	}
	if (argc - optind - 1 != cmds[i].nargs) {
		err("%s: wrong number of arguments", cmd);
		usage(stderr);
		return 2;
	}
	if (used & ~cmds[i].opts) {
		err("%s: option not valid for this command", cmd);
		return 2;
	}
	if (have_to && to_mark) {
		err("--to and --to-mark exclude each other");
		return 2;
	}
	if (!strcmp(cmd, "compare"))
		return cmd_compare(argv[optind + 1], argv[optind + 2], &co);
	if (log_open(&l, argv[optind + 1]))
		return 1;
	if (!strcmp(cmd, "info"))
		return cmd_info(&l);
	if (!strcmp(cmd, "list"))
		return cmd_list(&l);
	if (!strcmp(cmd, "points"))
		return cmd_points(&l);
	if (to_mark) {
		m = find_mark(&l, to_mark);
		if (m < 0)
			return 1;
		o.to = m;
	}
	if (o.to == U64_MAX_)
		o.to = l.nr_entries;
	if (o.from > o.to) {
		err("--from %llu is after --to %llu", o.from, o.to);
		return 2;
	}
	return cmd_replay(&l, argv[optind + 2], &o);
}
