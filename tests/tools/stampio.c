// SPDX-License-Identifier: GPL-2.0
/*
 * stampio: writer and verifier for crash tests.
 *
 * The target (a block device or a file) is a region of 512-byte units. Every
 * unit always holds a "stamp": a header naming the run, the unit and the
 * sequence number of the write that wrote it, and a payload derived from
 * those three. A unit is either a valid stamp, all zeros (after a
 * BLKZEROOUT), or garbage; the verifier regenerates every byte.
 *
 *   stampio init   TARGET --run R --offset B --units N --seq S --floor F
 *   stampio write  TARGET --run R --offset B --units N --epoch E --log L
 *                  --mode dsync|direct|buffered|osync [--seed X] [--max N]
 *                  [--align N] [--batch N] [--zero PCT] [--count N]
 *   stampio verify TARGET --run R --offset B --units N --floor F [--log L]
 *                  [--out F2] [--same-as F3] [--buffered] [--strict]
 *
 * "init" stamps every unit with sequence S and writes the floor file: the
 * version (sequence number) each unit holds. "write" writes random ranges
 * until killed (or --count writes) and appends to the log, with one write(2)
 * per record, BEFORE each write the intent (sequence, range), and AFTER a
 * write is durable a DURABLE record: at once for dsync (O_DIRECT|O_DSYNC)
 * and osync (buffered O_SYNC), after fdatasync()/fsync() of a batch for
 * direct (O_DIRECT) and buffered. Sequence numbers are (E << 32) + i, so
 * they grow across epochs.
 *
 * "verify" reads every unit and checks, given the floor of the epoch and
 * the log of the writes since:
 * - the unit is a stamp of this run for this unit, or zeros (garbage and
 *   misdirected data fail);
 * - its version was issued for this unit: the floor's, or an intent
 *   covering the unit;
 * - its version is not older than the newest durable write covering it
 *   (nor than the floor).
 * With --strict, a unit must also hold at least the newest write to it that
 * completed (the direct mode logs an ACK record after each write): the rule
 * for a device that loses nothing that completed, such as a VM killed while
 * its disk images stay on the host.
 * It prints figures, the errors (at most 20 in detail), writes the versions
 * it read as the next floor (--out), requires them to equal those of an
 * earlier read (--same-as: reads are stable), and exits 0 if all is well,
 * 1 on a violation, 2 on a usage or I/O error.
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

#define UNIT		512U
#define CHUNK		(1024U * 1024U)		/* bytes per read in verify */
#define STAMP_MAGIC	0x3149504d41545353ULL	/* "SSTAMPI1" */
#define FLOOR_MAGIC	0x31524f4f4c465453ULL	/* "STFLOOR1" */
#define REC_MAGIC	0x43455253U		/* "SREC" */
#define ZERO_BIT	BIT_ULL(63)		/* floor: the unit holds zeros */
#define MAX_ERRORS	20
#define U32_MAX		0xffffffffULL

/* The kernel's __printf(); split so it is not mistaken for a use. */
#ifndef __printf
#define __printf(a, b)	__attribute__((				\
			format(printf, a, b)))
#endif

enum { REC_WRITE = 1, REC_ZERO, REC_DURABLE, REC_ACK };
enum { M_DSYNC, M_DIRECT, M_BUFFERED, M_OSYNC };

struct stamp_hdr {
	u64	magic;
	u64	run;
	u64	unit;		/* absolute: byte offset in the target / 512 */
	u64	seq;
};

struct rec {
	u32	magic;
	u16	type;
	u16	pad;
	u64	seq;
	u32	first;		/* unit index in the region */
	u32	count;
	u32	check;
	u32	pad2;
};

struct floor_hdr {
	u64	magic;
	u64	run;
	u64	offset;
	u64	units;
};

static const char *const mode_names[] = { "dsync", "direct", "buffered", "osync" };

struct opts {
	const char	*target;
	const char	*log;
	const char	*floor;
	const char	*out;
	const char	*same;
	u64		run;
	u64		offset;
	u64		units;
	u64		seq;
	u64		epoch;
	u64		seed;
	u64		count;
	u32		max;
	u32		align;
	u32		batch;
	u32		zero_pct;
	int		mode;
	bool		buffered;
	bool		strict;
};

static u64 splitmix(u64 *s)
{
	u64 z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* The expected content of @unit at version @seq. */
static void stamp(u8 *buf, u64 run, u64 unit, u64 seq)
{
	struct stamp_hdr h = { STAMP_MAGIC, run, unit, seq };
	u64 s = run ^ (unit * 0xd6e8feb86659fd93ULL) ^ (seq * 0xa0761d6478bd642fULL);
	u64 v;
	unsigned int i;

	memcpy(buf, &h, sizeof(h));
	for (i = sizeof(h); i < UNIT; i += sizeof(v)) {
		v = splitmix(&s);
		memcpy(buf + i, &v, sizeof(v));
	}
}

static u32 rec_check(const struct rec *r)
{
	u64 s = r->seq ^ ((u64)r->type << 48) ^ ((u64)r->first << 16) ^
		((u64)r->count << 40);

	return (u32)splitmix(&s);
}

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "stampio: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	exit(2);
}

static void die_errno(const char *what, const char *name)
{
	fprintf(stderr, "stampio: %s %s: %s\n", what, name, strerror(errno));
	exit(2);
}

static void write_all(int fd, const void *buf, size_t len, u64 off,
		      const char *name)
{
	const u8 *p = buf;
	ssize_t n;

	while (len) {
		n = pwrite(fd, p, len, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die_errno("write", name);
		p += n;
		len -= n;
		off += n;
	}
}

static void read_all(int fd, void *buf, size_t len, u64 off, const char *name)
{
	u8 *p = buf;
	ssize_t n;

	while (len) {
		n = pread(fd, p, len, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die_errno("read", name);
		if (n == 0)
			die("read %s: unexpected end of file", name);
		p += n;
		len -= n;
		off += n;
	}
}

static void *alloc_aligned(size_t len)
{
	void *p;

	if (posix_memalign(&p, 4096, len))
		die("out of memory (%s)", "buffer");
	return p;
}

static void log_rec(int fd, const struct opts *o, u16 type, u64 seq,
		    u32 first, u32 count)
{
	struct rec r = { REC_MAGIC, type, 0, seq, first, count, 0, 0 };
	ssize_t n;

	r.check = rec_check(&r);
	/* One write(2): on 9p it is on the host when it returns. */
	n = write(fd, &r, sizeof(r));
	if (n != (ssize_t)sizeof(r))
		die_errno("append to", o->log);
}

/* ---- floor files ------------------------------------------------------- */

static void floor_save(const struct opts *o, const char *path, const u64 *ver)
{
	struct floor_hdr h = { FLOOR_MAGIC, o->run, o->offset, o->units };
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		die_errno("create", path);
	write_all(fd, &h, sizeof(h), 0, path);
	write_all(fd, ver, o->units * sizeof(*ver), sizeof(h), path);
	if (fsync(fd) || close(fd))
		die_errno("write", path);
}

static u64 *floor_load(const struct opts *o, const char *path)
{
	struct floor_hdr h;
	u64 *ver = calloc(o->units, sizeof(*ver));
	int fd = open(path, O_RDONLY);

	if (!ver)
		die("out of memory (%s)", "floor");
	if (fd < 0)
		die_errno("open", path);
	read_all(fd, &h, sizeof(h), 0, path);
	if (h.magic != FLOOR_MAGIC || h.run != o->run || h.offset != o->offset ||
	    h.units != o->units)
		die("%s: not a floor of this run and region", path);
	read_all(fd, ver, o->units * sizeof(*ver), sizeof(h), path);
	close(fd);
	return ver;
}

/* ---- init ---------------------------------------------------------------- */

static int open_target(const struct opts *o, int flags)
{
	int fd = open(o->target, flags | O_CREAT, 0644);

	if (fd < 0)
		die_errno("open", o->target);
	return fd;
}

static int cmd_init(const struct opts *o)
{
	u64 per = CHUNK / UNIT, u, n, i, *ver;
	u8 *buf = alloc_aligned(CHUNK);
	int fd = open_target(o, O_RDWR | O_DIRECT);

	ver = calloc(o->units, sizeof(*ver));
	if (!ver)
		die("out of memory (%s)", "floor");
	for (u = 0; u < o->units; u += n) {
		n = o->units - u < per ? o->units - u : per;
		for (i = 0; i < n; i++) {
			stamp(buf + i * UNIT, o->run, o->offset / UNIT + u + i, o->seq);
			ver[u + i] = o->seq;
		}
		write_all(fd, buf, n * UNIT, o->offset + u * UNIT, o->target);
	}
	if (fsync(fd))
		die_errno("fsync", o->target);
	close(fd);
	floor_save(o, o->floor, ver);
	free(ver);
	free(buf);
	printf("init %s: %llu units stamped with seq %llu\n", o->target,
	       o->units, o->seq);
	return 0;
}

/* ---- write ----------------------------------------------------------------- */

static void sync_target(int fd, const struct opts *o)
{
	int ret = o->mode == M_BUFFERED ? fsync(fd) : fdatasync(fd);

	if (ret)
		die_errno("fsync", o->target);
}

static int cmd_write(const struct opts *o)
{
	static const int flags[] = {
		[M_DSYNC] = O_DIRECT | O_DSYNC,
		[M_DIRECT] = O_DIRECT,
		[M_BUFFERED] = 0,
		[M_OSYNC] = O_SYNC,
	};
	u64 rnd = o->seed, base = o->epoch << 32, i, first, n, range[2];
	u32 since = 0, batch, align = o->align ? o->align : 1;
	u8 *buf = alloc_aligned((size_t)o->max * UNIT);
	bool zero, blockdev;
	struct stat st;
	int fd, lfd;

	if (o->max < align || o->max % align || o->units < o->max ||
	    o->units % align)
		die("%s: --max, --align and --units do not fit", o->target);
	fd = open_target(o, O_RDWR | flags[o->mode]);
	if (fstat(fd, &st))
		die_errno("stat", o->target);
	blockdev = S_ISBLK(st.st_mode);
	lfd = open(o->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (lfd < 0)
		die_errno("open", o->log);
	batch = 1 + splitmix(&rnd) % o->batch;
	printf("write %s: mode %s, seq from %llu\n", o->target,
	       mode_names[o->mode], base + 1);
	fflush(stdout);

	for (i = 1; !o->count || i <= o->count; i++) {
		n = align * (1 + splitmix(&rnd) % (o->max / align));
		first = align * (splitmix(&rnd) % ((o->units - n) / align + 1));
		/* BLKZEROOUT drops page cache: only next to O_DIRECT. */
		zero = blockdev && (o->mode == M_DSYNC || o->mode == M_DIRECT) &&
		       splitmix(&rnd) % 100 < o->zero_pct;
		log_rec(lfd, o, zero ? REC_ZERO : REC_WRITE, base + i, first, n);
		if (zero) {
			range[0] = o->offset + first * UNIT;
			range[1] = n * UNIT;
			if (ioctl(fd, BLKZEROOUT, range))
				die_errno("BLKZEROOUT", o->target);
			if (o->mode == M_DSYNC)
				sync_target(fd, o);
		} else {
			u64 k;

			for (k = 0; k < n; k++)
				stamp(buf + k * UNIT, o->run,
				      o->offset / UNIT + first + k, base + i);
			write_all(fd, buf, n * UNIT, o->offset + first * UNIT,
				  o->target);
		}
		if (o->mode == M_DSYNC || o->mode == M_OSYNC) {
			log_rec(lfd, o, REC_DURABLE, base + i, 0, 0);
			continue;
		}
		if (o->mode == M_DIRECT)
			log_rec(lfd, o, REC_ACK, base + i, 0, 0);
		if (++since >= batch) {
			sync_target(fd, o);
			log_rec(lfd, o, REC_DURABLE, base + i, 0, 0);
			since = 0;
			batch = 1 + splitmix(&rnd) % o->batch;
		}
	}
	sync_target(fd, o);
	log_rec(lfd, o, REC_DURABLE, base + i - 1, 0, 0);
	close(fd);
	close(lfd);
	free(buf);
	printf("write %s: %llu writes\n", o->target, i - 1);
	return 0;
}

/* ---- verify -------------------------------------------------------------- */

struct vlog {
	struct rec	*r;		/* intents (REC_WRITE, REC_ZERO), by seq */
	size_t		nr;
	u64		durable;	/* every intent up to this seq is durable */
	u64		acked;		/* the newest acknowledged (ACK) seq */
	u64		*ack;		/* seqs of ACK records, increasing */
	size_t		nack;
};

static void vlog_load(const struct opts *o, struct vlog *l)
{
	size_t cap = 0, acap = 0;
	struct rec r;
	u64 last = 0;
	FILE *f;

	memset(l, 0, sizeof(*l));
	if (!o->log)
		return;
	f = fopen(o->log, "r");
	if (!f) {
		if (errno == ENOENT)
			return;		/* nothing was written */
		die_errno("open", o->log);
	}
	while (fread(&r, sizeof(r), 1, f) == 1) {
		if (r.magic != REC_MAGIC || r.check != rec_check(&r)) {
			fprintf(stderr, "stampio: %s: bad record after seq %llu, ignored\n",
				o->log, last);
			break;
		}
		if (r.type == REC_WRITE || r.type == REC_ZERO) {
			if (r.seq <= last || (u64)r.first + r.count > o->units)
				die("%s: intent out of order or range", o->log);
			last = r.seq;
			if (l->nr == cap) {
				cap = cap ? cap * 2 : 1024;
				l->r = realloc(l->r, cap * sizeof(*l->r));
				if (!l->r)
					die("out of memory (%s)", "log");
			}
			l->r[l->nr++] = r;
		} else if (r.type == REC_DURABLE) {
			if (r.seq > l->durable)
				l->durable = r.seq;
		} else if (r.type == REC_ACK) {
			if (l->nack == acap) {
				acap = acap ? acap * 2 : 1024;
				l->ack = realloc(l->ack, acap * sizeof(*l->ack));
				if (!l->ack)
					die("out of memory (%s)", "log");
			}
			l->ack[l->nack++] = r.seq;
		}
	}
	fclose(f);
}

/* The intent with sequence @seq, or NULL. */
static const struct rec *vlog_find(const struct vlog *l, u64 seq)
{
	size_t lo = 0, hi = l->nr, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (l->r[mid].seq == seq)
			return &l->r[mid];
		if (l->r[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static bool all_zero(const u8 *p)
{
	unsigned int i;

	for (i = 0; i < UNIT; i++)
		if (p[i])
			return false;
	return true;
}

struct vstats {
	u64	at_floor;	/* unchanged since the floor */
	u64	newer;		/* a newer version than the floor */
	u64	past_durable;	/* newer than the newest durable write */
	u64	zeros;
	u64	acked_lost;	/* an acknowledged, not yet durable write lost */
	u64	errors;
};

static __printf(2, 3) void verr(struct vstats *st, const char *fmt, ...)
{
	va_list ap;

	if (st->errors++ >= MAX_ERRORS)
		return;
	fprintf(stderr, "stampio: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
}

/* A write that completed (ACK), not yet made durable, is not there. */
static void acked_lost(const struct opts *o, struct vstats *st, u64 u,
		       u64 seq, u64 acked)
{
	st->acked_lost++;
	if (o->strict)
		verr(st, "unit %llu: holds seq %llu, the completed write of seq %llu is lost",
		     u, seq, acked);
}

/* Check one unit (region index @u) against what may be there. */
static u64 verify_unit(const struct opts *o, const u8 *p, u64 u,
		       const u64 *floor, const u64 *need, const u64 *zmax,
		       const u64 *amax, const struct vlog *l, struct vstats *st)
{
	u8 want[UNIT];
	struct stamp_hdr h;
	const struct rec *r;
	u64 abs = o->offset / UNIT + u, fseq = floor[u] & ~ZERO_BIT, z;

	if (all_zero(p)) {
		z = zmax[u];
		if ((floor[u] & ZERO_BIT) && fseq > z)
			z = fseq;
		if (!z && !(floor[u] & ZERO_BIT)) {
			verr(st, "unit %llu (byte %llu): zeros, but never zeroed",
			     u, abs * UNIT);
			return floor[u];
		}
		if (z < need[u])
			verr(st, "unit %llu: zeros of seq %llu, older than durable seq %llu",
			     u, z, need[u]);
		st->zeros++;
		if (z == fseq && (floor[u] & ZERO_BIT))
			st->at_floor++;
		else
			st->newer++;
		if (z > need[u])
			st->past_durable++;
		if (amax[u] > z)
			acked_lost(o, st, u, z, amax[u]);
		return z | ZERO_BIT;
	}
	memcpy(&h, p, sizeof(h));
	if (h.magic != STAMP_MAGIC || h.run != o->run) {
		verr(st, "unit %llu (byte %llu): garbage (first word %#llx)",
		     u, abs * UNIT, h.magic);
		return floor[u];
	}
	stamp(want, o->run, h.unit, h.seq);
	if (memcmp(want, p, UNIT)) {
		verr(st, "unit %llu: torn or corrupt stamp (claims unit %llu seq %llu)",
		     u, h.unit, h.seq);
		return floor[u];
	}
	if (h.unit != abs) {
		verr(st, "unit %llu: misdirected: holds unit %llu seq %llu",
		     u, h.unit - o->offset / UNIT, h.seq);
		return floor[u];
	}
	if (h.seq != floor[u]) {
		r = vlog_find(l, h.seq);
		if (!r || r->type != REC_WRITE || u < r->first ||
		    u >= (u64)r->first + r->count) {
			verr(st, "unit %llu: holds seq %llu, never written there (floor %llu)",
			     u, h.seq, floor[u]);
			return floor[u];
		}
	}
	if (h.seq < need[u])
		verr(st, "unit %llu: stale: holds seq %llu, a durable write of seq %llu is lost",
		     u, h.seq, need[u]);
	if (h.seq == floor[u])
		st->at_floor++;
	else
		st->newer++;
	if (h.seq > need[u])
		st->past_durable++;
	if (amax[u] > h.seq)
		acked_lost(o, st, u, h.seq, amax[u]);
	return h.seq;
}

static int cmd_verify(const struct opts *o)
{
	u64 *floor = floor_load(o, o->floor), *need, *zmax, *amax, *ver, u, i, n;
	u64 per = CHUNK / UNIT;
	struct vstats st = { 0 };
	struct vlog l;
	u8 *buf = alloc_aligned(CHUNK);
	size_t k, a = 0;
	int fd;

	vlog_load(o, &l);
	need = calloc(o->units, sizeof(u64));
	zmax = calloc(o->units, sizeof(u64));
	amax = calloc(o->units, sizeof(u64));
	ver = calloc(o->units, sizeof(u64));
	if (!need || !zmax || !amax || !ver)
		die("out of memory (%s)", "verify");
	for (u = 0; u < o->units; u++)
		need[u] = floor[u] & ~ZERO_BIT;
	for (k = 0; k < l.nr; k++) {
		const struct rec *r = &l.r[k];
		bool acked;

		while (a < l.nack && l.ack[a] < r->seq)
			a++;
		acked = a < l.nack && l.ack[a] == r->seq;
		for (u = r->first; u < (u64)r->first + r->count; u++) {
			if (r->seq <= l.durable)
				need[u] = r->seq;
			if (r->type == REC_ZERO)
				zmax[u] = r->seq;
			if (acked)
				amax[u] = r->seq;
		}
	}

	fd = open(o->target, O_RDONLY | (o->buffered ? 0 : O_DIRECT));
	if (fd < 0)
		die_errno("open", o->target);
	if (o->buffered)
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	for (u = 0; u < o->units; u += n) {
		n = o->units - u < per ? o->units - u : per;
		read_all(fd, buf, n * UNIT, o->offset + u * UNIT, o->target);
		for (i = 0; i < n; i++)
			ver[u + i] = verify_unit(o, buf + i * UNIT, u + i, floor,
						 need, zmax, amax, &l, &st);
	}
	close(fd);
	if (o->out)
		floor_save(o, o->out, ver);
	if (o->same) {
		u64 *prev = floor_load(o, o->same);

		for (u = 0; u < o->units; u++)
			if (ver[u] != prev[u])
				verr(&st, "unit %llu: unstable: seq %llu%s now, seq %llu%s before",
				     u, ver[u] & ~ZERO_BIT,
				     ver[u] & ZERO_BIT ? " (zeros)" : "",
				     prev[u] & ~ZERO_BIT,
				     prev[u] & ZERO_BIT ? " (zeros)" : "");
		free(prev);
	}
	printf("verify %s: %llu units (%llu bytes): %llu at the floor, %llu newer",
	       o->target, o->units, o->units * UNIT, st.at_floor, st.newer);
	printf(" (%llu past the last durable write), %llu zeros;", st.past_durable,
	       st.zeros);
	printf(" log: %zu writes, durable up to seq %llu;", l.nr, l.durable);
	printf(" acknowledged, not durable, lost: %llu units; %llu errors\n",
	       st.acked_lost, st.errors);
	free(floor);
	free(need);
	free(zmax);
	free(amax);
	free(ver);
	free(buf);
	free(l.r);
	free(l.ack);
	return st.errors ? 1 : 0;
}

/* ---- arguments ------------------------------------------------------------ */

static u64 num(const char *s, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || !*s || *end)
		die("bad number for %s", what);
	return v;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "run", 1, NULL, 'r' }, { "offset", 1, NULL, 'o' },
		{ "units", 1, NULL, 'u' }, { "seq", 1, NULL, 's' },
		{ "floor", 1, NULL, 'f' }, { "log", 1, NULL, 'l' },
		{ "out", 1, NULL, 'O' }, { "epoch", 1, NULL, 'e' },
		{ "mode", 1, NULL, 'm' }, { "seed", 1, NULL, 'S' },
		{ "max", 1, NULL, 'M' }, { "align", 1, NULL, 'a' },
		{ "batch", 1, NULL, 'b' }, { "zero", 1, NULL, 'z' },
		{ "count", 1, NULL, 'c' }, { "buffered", 0, NULL, 'B' },
		{ "same-as", 1, NULL, 'A' }, { "strict", 0, NULL, 'T' },
		{ NULL, 0, NULL, 0 }
	};
	struct opts o = { .max = 128, .align = 1, .batch = 16, .mode = -1 };
	const char *cmd;
	int c, i;

	if (argc < 3)
		die("usage: stampio init|write|verify TARGET [options]%s", "");
	cmd = argv[1];
	o.target = argv[2];
	optind = 3;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'r':
			o.run = num(optarg, "--run");
			break;
		case 'o':
			o.offset = num(optarg, "--offset");
			break;
		case 'u':
			o.units = num(optarg, "--units");
			break;
		case 's':
			o.seq = num(optarg, "--seq");
			break;
		case 'f':
			o.floor = optarg;
			break;
		case 'l':
			o.log = optarg;
			break;
		case 'O':
			o.out = optarg;
			break;
		case 'A':
			o.same = optarg;
			break;
		case 'e':
			o.epoch = num(optarg, "--epoch");
			break;
		case 'S':
			o.seed = num(optarg, "--seed");
			break;
		case 'M':
			o.max = num(optarg, "--max");
			break;
		case 'a':
			o.align = num(optarg, "--align");
			break;
		case 'b':
			o.batch = num(optarg, "--batch");
			break;
		case 'z':
			o.zero_pct = num(optarg, "--zero");
			break;
		case 'c':
			o.count = num(optarg, "--count");
			break;
		case 'B':
			o.buffered = true;
			break;
		case 'T':
			o.strict = true;
			break;
		case 'm':
			for (i = 0; i < 4; i++)
				if (!strcmp(optarg, mode_names[i]))
					o.mode = i;
			if (o.mode < 0)
				die("unknown mode %s", optarg);
			break;
		default:
			exit(2);
		}
	}
	if (optind != argc)
		die("unexpected argument %s", argv[optind]);
	if (!o.run || !o.units || o.offset % UNIT || o.units > U32_MAX)
		die("%s: need --run, --units < 2^32 and a 512-aligned --offset", cmd);
	if (!strcmp(cmd, "init")) {
		if (!o.floor)
			die("%s: need --floor", cmd);
		return cmd_init(&o);
	}
	if (!strcmp(cmd, "write")) {
		if (!o.log || o.mode < 0 || !o.epoch || !o.batch || !o.max ||
		    o.epoch > U32_MAX / 2)
			die("%s: need --log, --mode, --epoch 1..2^31, --batch, --max", cmd);
		return cmd_write(&o);
	}
	if (!strcmp(cmd, "verify")) {
		if (!o.floor)
			die("%s: need --floor", cmd);
		return cmd_verify(&o);
	}
	die("unknown command %s", cmd);
	return 2;
}
