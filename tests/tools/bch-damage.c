// SPDX-License-Identifier: GPL-2.0
/*
 * bch-damage: find every metadata structure of a cache image and damage one.
 *
 *   bch-damage IMAGE list
 *	one line per structure: TYPE INDEX SECTOR BYTES, then key=value notes
 *   bch-damage IMAGE TYPE INDEX MODE [SEED]
 *	apply one damage to one structure, print what was done and what the
 *	format validator of ondisk.c now says about the structure
 *   bch-damage --modes TYPE
 *	the modes that apply to TYPE, with their number of variants
 *
 * Structures are found from the format alone: the superblock gives the
 * geometry, hence the uuid slots and prio pages; the journal is scanned the
 * way the kernel scans it; btree nodes are walked from the newest journal
 * entry's root down, following node pointers (every valid bset of every
 * reachable node is listed).
 *
 * Modes: flip (random byte flips inside the checksummed bytes), zero (the
 * whole structure), badcsum (the checksum field only), and crafted modes
 * that re-seal the structure with a correct checksum so that only the
 * semantic checks can catch them: bigcount, badptr, badgen, badseq and
 * overlap (see the variant tables below); and torn, for a bset: what a
 * write torn by a crash leaves, with its journal_seq one above the newest
 * journal entry (variant 0: begun after that entry was closed, as a real
 * torn write) or equal to it (variant 1). SEED picks the flip positions
 * and, modulo the number of variants, the variant of a crafted mode.
 *
 * IMAGE may be a block device; its page cache is dropped first, so what
 * the kernel wrote there through bios is what gets read.
 *
 * Exit status: 0 done, 1 error, 2 usage, 3 the mode or variant does not
 * apply to this structure (e.g. a key damage on an entry without keys).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/fs.h>

#include <bcache/ondisk.h>

/* The kernel's __printf(); split so it is not mistaken for a use. */
#ifndef __printf
#define __printf(a, b)	__attribute__((				\
			format(printf, a, b)))
#endif

#ifndef U64_MAX
#define U64_MAX		UINT64_MAX
#endif

#define EXIT_NA		3
#define MAX_WALK_NODES	100000U

enum stype { T_SB, T_UUID, T_PRIO, T_JSET, T_BSET, T_NR };

static const char * const type_names[T_NR] = {
	"sb", "uuid", "prio", "jset", "bset",
};

enum dmode {
	M_FLIP, M_ZERO, M_BADCSUM, M_BIGCOUNT, M_BADPTR, M_BADGEN, M_BADSEQ,
	M_OVERLAP, M_TORN, M_NR,
};

static const char * const mode_names[M_NR] = {
	"flip", "zero", "badcsum", "bigcount", "badptr", "badgen", "badseq",
	"overlap", "torn",
};

/* Variants per mode and type; 0: the mode does not apply to the type. */
static const unsigned int nvariants[M_NR][T_NR] = {
	/*		sb  uuid prio jset bset */
	[M_FLIP]	= { 1, 1, 1, 1, 1 },
	[M_ZERO]	= { 1, 1, 1, 1, 1 },
	[M_BADCSUM]	= { 1, 1, 1, 1, 1 },
	[M_BIGCOUNT]	= { 4, 2, 1, 3, 2 },
	[M_BADPTR]	= { 3, 2, 2, 5, 3 },
	[M_BADGEN]	= { 0, 0, 3, 2, 1 },
	[M_BADSEQ]	= { 0, 3, 2, 4, 3 },
	[M_OVERLAP]	= { 2, 1, 3, 2, 3 },
	[M_TORN]	= { 0, 0, 0, 0, 2 },
};

struct item {
	enum stype	type;
	u32		index;
	u64		sector;
	u32		bytes;
	u64		seq, last_seq;	/* uuid, prio, jset */
	u32		page, slot;	/* uuid, prio */
	u32		bucket_idx;	/* jset: journal bucket */
	u64		node;		/* bset: node bucket */
	u64		node_seq;	/* bset */
	u64		lo, hi;		/* bset: the node's key range */
	u32		level, idx, nkeys;
	bool		valid, newest, replay, root;
};

struct img {
	const char	*path;
	int		fd;
	u64		bytes;
	struct bch_sb	sb;
	struct bch_geom	g;
	struct item	*it;
	u32		nr, cap;
	u8		*visited;	/* btree walk: bucket bitmap */
	u32		walked;
	u8		*gen;		/* newest valid prio copies */
	u8		*btype;
	bool		prios_known;
};

static const char *prog = "bch-damage";

static __printf(1, 2) void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static __printf(1, 2) void not_applicable(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: not applicable: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_NA);
}

static void *xzalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (!p)
		die("out of memory (%zu bytes)", n);
	return p;
}

/* ---- random numbers: xorshift64*, reproducible from the seed ------------ */

static u64 rng_state;

static void rng_seed(u64 seed)
{
	rng_state = seed * 0x9e3779b97f4a7c15ULL + 0x2545f4914f6cdd1dULL;
	if (!rng_state)
		rng_state = 1;
}

static u64 rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

/* ---- image access --------------------------------------------------------- */

static void read_at(struct img *im, void *buf, size_t len, u64 off)
{
	size_t done = 0;
	ssize_t n;

	if (off > im->bytes || len > im->bytes - off)
		die("%s: read of %zu bytes at %llu is past the end", im->path,
		    len, off);
	while (done < len) {
		n = pread(im->fd, (u8 *)buf + done, len - done, off + done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("%s: read at %llu: %s", im->path, off + done,
			    n ? strerror(errno) : "short read");
		done += n;
	}
}

static void write_at(struct img *im, const void *buf, size_t len, u64 off)
{
	size_t done = 0;
	ssize_t n;

	if (off > im->bytes || len > im->bytes - off)
		die("%s: write of %zu bytes at %llu is past the end", im->path,
		    len, off);
	while (done < len) {
		n = pwrite(im->fd, (const u8 *)buf + done, len - done,
			   off + done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("%s: write at %llu: %s", im->path, off + done,
			    n ? strerror(errno) : "short write");
		done += n;
	}
	if (fsync(im->fd))
		die("%s: fsync: %s", im->path, strerror(errno));
}

static void img_open(struct img *im, const char *path, bool write)
{
	const char *why = "";
	struct stat st;
	u64 size;

	memset(im, 0, sizeof(*im));
	im->path = path;
	im->fd = open(path, write ? O_RDWR : O_RDONLY);
	if (im->fd < 0)
		die("%s: %s", path, strerror(errno));
	if (fstat(im->fd, &st))
		die("%s: %s", path, strerror(errno));
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(im->fd, BLKGETSIZE64, &size))
			die("%s: BLKGETSIZE64: %s", path, strerror(errno));
		im->bytes = size;
		/* Drop cached pages: the kernel may have written the device. */
		ioctl(im->fd, BLKFLSBUF, 0);
	} else if (S_ISREG(st.st_mode)) {
		im->bytes = st.st_size;
	} else {
		die("%s: not a regular file or block device", path);
	}
	if (im->bytes < BCH_SB_OFFSET + BCH_SB_BYTES)
		die("%s: too small for a superblock", path);
	read_at(im, &im->sb, sizeof(im->sb), BCH_SB_OFFSET);
	if (bch_sb_validate(&im->sb, sizeof(im->sb),
			    im->bytes >> BCH_SECTOR_SHIFT, &im->g, &why))
		die("%s: not a valid cache image: superblock: %s", path, why);
}

static u64 bucket_bytes(const struct img *im)
{
	return (u64)im->g.bucket_sectors << BCH_SECTOR_SHIFT;
}

static struct item *item_add(struct img *im, enum stype type)
{
	struct item *it;
	u32 i, index = 0;

	if (im->nr == im->cap) {
		im->cap = im->cap ? im->cap * 2 : 256;
		im->it = realloc(im->it, im->cap * sizeof(*im->it));
		if (!im->it)
			die("out of memory");
	}
	for (i = 0; i < im->nr; i++)
		index += im->it[i].type == type;
	it = &im->it[im->nr++];
	memset(it, 0, sizeof(*it));
	it->type = type;
	it->index = index;
	return it;
}

/* ---- finding the structures ------------------------------------------------ */

static void find_sb(struct img *im)
{
	struct item *it = item_add(im, T_SB);

	it->sector = BCH_SB_SECTOR;
	it->bytes = BCH_SB_BYTES;
	it->valid = true;
	it->seq = le64_to_cpu(im->sb.seq);
}

static void find_uuids(struct img *im)
{
	struct bch_uuid_set *u = xzalloc(sizeof(*u));
	struct item *it[2];
	unsigned int slot;

	for (slot = 0; slot < 2; slot++) {
		it[slot] = item_add(im, T_UUID);
		it[slot]->sector = bch_uuid_slot_sector(&im->g, slot);
		it[slot]->bytes = sizeof(*u);
		it[slot]->slot = slot;
		read_at(im, u, sizeof(*u),
			it[slot]->sector << BCH_SECTOR_SHIFT);
		it[slot]->valid = !bch_uuid_set_validate(u, sizeof(*u), &im->g,
							 slot, NULL);
		it[slot]->seq = le64_to_cpu(u->seq);
	}
	slot = bch_ab_pick_read(it[0]->valid, it[0]->seq, it[1]->valid,
				it[1]->seq);
	if (slot < 2)
		it[slot]->newest = true;
	free(u);
}

static void find_prios(struct img *im)
{
	struct bch_prio_page *p = xzalloc(sizeof(*p));
	const struct bch_geom *g = &im->g;
	struct item *it[2];
	u32 page, i, nr;
	unsigned int slot;
	int pick;

	im->gen = xzalloc(g->nbuckets);
	im->btype = xzalloc(g->nbuckets);
	im->prios_known = true;
	for (page = 0; page < g->prio_pages; page++) {
		for (slot = 0; slot < 2; slot++) {
			it[slot] = item_add(im, T_PRIO);
			it[slot]->sector = bch_prio_page_sector(g, page, slot);
			it[slot]->bytes = sizeof(*p);
			it[slot]->page = page;
			it[slot]->slot = slot;
			read_at(im, p, sizeof(*p),
				it[slot]->sector << BCH_SECTOR_SHIFT);
			it[slot]->valid = !bch_prio_page_validate(p, sizeof(*p),
								  g, page,
								  slot, NULL);
			it[slot]->seq = le64_to_cpu(p->seq);
		}
		pick = bch_ab_pick_read(it[0]->valid, it[0]->seq,
					it[1]->valid, it[1]->seq);
		if (pick < 0) {
			im->prios_known = false;
			continue;
		}
		it[pick]->newest = true;
		read_at(im, p, sizeof(*p), it[pick]->sector << BCH_SECTOR_SHIFT);
		nr = bch_prio_page_nr(g, page);
		for (i = 0; i < nr; i++) {
			im->gen[(u64)page * BCH_PRIOS_PER_PAGE + i] =
				p->entries[i].gen;
			im->btype[(u64)page * BCH_PRIOS_PER_PAGE + i] =
				p->entries[i].type;
		}
	}
	free(p);
}

static int item_seq_cmp(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The kernel's scan: a bucket ends at its first invalid or older entry. */
static void find_journal(struct img *im)
{
	const struct bch_geom *g = &im->g;
	u64 bb = bucket_bytes(im), start, prev;
	u32 i, off, first = im->nr, n;
	u8 *buf = xzalloc(bb);
	const struct bch_jset *j;
	struct item *it;

	for (i = 0; i < g->journal_buckets; i++) {
		start = bch_journal_bucket_sector(g, i);
		read_at(im, buf, bb, start << BCH_SECTOR_SHIFT);
		prev = 0;
		for (off = 0; off < g->bucket_sectors;) {
			j = (const void *)(buf + ((u64)off << BCH_SECTOR_SHIFT));
			if (bch_jset_validate(j, bb - ((u64)off << BCH_SECTOR_SHIFT),
					      g, start + off, NULL))
				break;
			if (le64_to_cpu(j->seq) <= prev)
				break;
			prev = le64_to_cpu(j->seq);
			it = item_add(im, T_JSET);
			it->sector = start + off;
			it->nkeys = le32_to_cpu(j->nr_keys);
			it->bytes = bch_jset_bytes(g, it->nkeys);
			it->seq = prev;
			it->last_seq = le64_to_cpu(j->last_seq);
			it->bucket_idx = i;
			it->valid = true;
			off += it->bytes >> BCH_SECTOR_SHIFT;
		}
	}
	free(buf);
	n = im->nr - first;
	if (!n)
		return;
	qsort(&im->it[first], n, sizeof(*im->it), item_seq_cmp);
	for (i = 0; i < n; i++) {
		it = &im->it[first + i];
		it->index = i;
		it->replay = it->seq >= im->it[im->nr - 1].last_seq;
	}
	im->it[im->nr - 1].newest = true;
}

struct child {
	struct bch_key	k;
	u64		raw;
};

static int child_cmp(const void *a, const void *b)
{
	const struct child *x = a, *y = b;

	return x->raw < y->raw ? -1 : x->raw > y->raw;
}

/*
 * Read the node at @bucket as the kernel does and list its valid bsets;
 * for an interior node, walk the children its bsets point at (a later bset
 * overrides an earlier pointer with the same key).
 */
static void walk_node(struct img *im, const struct bch_key *ptr, int level,
		      u64 lo, u64 hi, bool root)
{
	const struct bch_geom *g = &im->g;
	u64 bb = bucket_bytes(im), bucket, start;
	struct bch_bset_expect e = { 0 };
	struct child *ch = NULL;
	u32 nch = 0, off, i, k, nr;
	const struct bch_bset *b;
	struct item *it;
	u8 *buf;

	bucket = bch_ptr_sector(ptr) / g->bucket_sectors;
	if (bucket < g->data_bucket || bucket >= g->nbuckets ||
	    (im->visited[bucket / 8] & (1U << (bucket % 8))) ||
	    im->walked >= MAX_WALK_NODES)
		return;
	im->visited[bucket / 8] |= 1U << (bucket % 8);
	im->walked++;
	start = bch_bucket_to_sector(g, bucket);
	buf = xzalloc(bb);
	read_at(im, buf, bb, start << BCH_SECTOR_SHIFT);
	e.node_sector = start;
	e.level = level;
	for (off = 0; off < g->bucket_sectors;) {
		b = (const void *)(buf + ((u64)off << BCH_SECTOR_SHIFT));
		e.offset = off;
		if (bch_bset_validate(b, bb - ((u64)off << BCH_SECTOR_SHIFT), g,
				      &e, NULL))
			break;
		nr = le32_to_cpu(b->nr_keys);
		it = item_add(im, T_BSET);
		it->sector = start + off;
		it->bytes = bch_bset_bytes(g, nr);
		it->node = bucket;
		it->node_seq = le64_to_cpu(b->node_seq);
		it->lo = lo;
		it->hi = hi;
		it->level = level;
		it->idx = e.idx;
		it->nkeys = nr;
		it->valid = true;
		it->root = root;
		e.node_seq = it->node_seq;
		e.idx++;
		off += it->bytes >> BCH_SECTOR_SHIFT;
		if (!level)
			continue;
		ch = realloc(ch, (nch + nr + 1) * sizeof(*ch));
		if (!ch)
			die("out of memory");
		for (i = 0; i < nr; i++) {
			for (k = 0; k < nch; k++)
				if (ch[k].raw == bch_key_raw(&b->keys[i]))
					break;
			ch[k].k = b->keys[i];
			ch[k].raw = bch_key_raw(&b->keys[i]);
			if (k == nch)
				nch++;
		}
	}
	free(buf);
	if (nch)
		qsort(ch, nch, sizeof(*ch), child_cmp);
	for (i = 0; i < nch; i++)
		walk_node(im, &ch[i].k, level - 1, ch[i].raw,
			  i + 1 < nch ? ch[i + 1].raw : hi, false);
	free(ch);
}

static void find_btree(struct img *im)
{
	const struct item *newest = NULL;
	struct bch_jset j;
	u32 i;

	for (i = 0; i < im->nr; i++)
		if (im->it[i].type == T_JSET && im->it[i].newest)
			newest = &im->it[i];
	if (!newest)
		return;
	read_at(im, &j, sizeof(j), newest->sector << BCH_SECTOR_SHIFT);
	if (!bch_ptr_is_ptr(&j.root))
		return;
	im->visited = xzalloc(im->g.nbuckets / 8 + 1);
	walk_node(im, &j.root, (int)le32_to_cpu(j.root_level), 0, U64_MAX,
		  true);
}

static void find_all(struct img *im)
{
	find_sb(im);
	find_uuids(im);
	find_prios(im);
	find_journal(im);
	find_btree(im);
}

static void print_item(const struct item *it)
{
	printf("%s %u %llu %u", type_names[it->type], it->index, it->sector,
	       it->bytes);
	switch (it->type) {
	case T_SB:
		printf(" seq=%llu", it->seq);
		break;
	case T_UUID:
		printf(" slot=%u seq=%llu", it->slot, it->seq);
		break;
	case T_PRIO:
		printf(" page=%u slot=%u seq=%llu", it->page, it->slot,
		       it->seq);
		break;
	case T_JSET:
		printf(" seq=%llu last_seq=%llu keys=%u jbucket=%u", it->seq,
		       it->last_seq, it->nkeys, it->bucket_idx);
		break;
	case T_BSET:
		printf(" node=%llu level=%u idx=%u keys=%u lo=%#llx hi=%#llx",
		       it->node, it->level, it->idx, it->nkeys, it->lo, it->hi);
		break;
	default:
		break;
	}
	if (it->type != T_SB && it->type != T_BSET)
		printf(" %s", it->valid ? "valid" : "invalid");
	if (it->newest)
		printf(" newest");
	if (it->replay)
		printf(" replay");
	if (it->root)
		printf(" root");
	putchar('\n');
}

/* ---- damage helpers ---------------------------------------------------------- */

static const struct item *find_item(const struct img *im, enum stype type,
				    u32 index)
{
	u32 i;

	for (i = 0; i < im->nr; i++)
		if (im->it[i].type == type && im->it[i].index == index)
			return &im->it[i];
	return NULL;
}

/* The other copy (A/B) of a uuid slot or prio page. */
static const struct item *other_copy(const struct img *im,
				     const struct item *it)
{
	u32 i;

	for (i = 0; i < im->nr; i++)
		if (im->it[i].type == it->type && im->it[i].page == it->page &&
		    im->it[i].slot != it->slot)
			return &im->it[i];
	return NULL;
}

/* Checksum of bytes 4..@end with the cache's seed (uuid, prio, jset, bset). */
static void raw_seal(const struct img *im, void *buf, size_t end)
{
	__le32 *csum = buf;

	*csum = cpu_to_le32(bch_crc32c(im->g.csum_seed, (u8 *)buf + 4,
				       end - 4));
}

/* The first bucket of @type in the data area (from the newest prio copies). */
static u64 bucket_of_type(const struct img *im, u8 type, u64 not)
{
	u64 b;

	if (!im->prios_known)
		return U64_MAX;
	for (b = im->g.data_bucket; b < im->g.nbuckets; b++)
		if (im->btype[b] == type && b != not)
			return b;
	return U64_MAX;
}

static u32 first_ptr_key(const struct bch_key *keys, u32 nr)
{
	u32 i;

	for (i = 0; i < nr; i++)
		if (bch_ptr_is_ptr(&keys[i]))
			return i;
	return nr;
}

static void set_ptr(struct bch_key *k, u64 sector, u32 size, u8 gen)
{
	*k = bch_key_make(bch_key_dev(k), bch_key_start(k), size, sector, gen,
			  bch_ptr_is_ptr(k), bch_ptr_is_dirty(k));
}

static void set_start(struct bch_key *k, u64 raw)
{
	u64 p = bch_ptr_raw(k);

	k->key = cpu_to_le64(raw);
	k->ptr = cpu_to_le64(p);
}

/* A leaf extent's cache sector that crosses the end of its bucket. */
static void ptr_cross_bucket(const struct img *im, struct bch_key *k)
{
	u64 s = bch_ptr_sector(k), end;
	u32 size = bch_ptr_size(k) < 2 ? 2 : bch_ptr_size(k);

	if (size > im->g.bucket_sectors)
		size = im->g.bucket_sectors;
	end = (s / im->g.bucket_sectors + 1) * im->g.bucket_sectors;
	set_ptr(k, end - size / 2, size, bch_ptr_gen(k));
}

static void flip_bytes(u8 *buf, size_t len, char *desc, size_t dlen)
{
	unsigned int n = 1 + rng() % 4, i;
	size_t used = 0, off;
	u8 x;

	used += snprintf(desc, dlen, "%u byte flip(s) at", n);
	for (i = 0; i < n; i++) {
		off = rng() % len;
		x = (u8)(1 + rng() % 255);
		buf[off] ^= x;
		if (used < dlen)
			used += snprintf(desc + used, dlen - used, " %zu^%#x",
					 off, x);
	}
}

struct target {
	struct img		*im;
	const struct item	*it;
	u8			*buf;	/* the structure, up to @len bytes */
	size_t			len;	/* bytes read (jset/bset: to bucket end) */
	size_t			wlen;	/* bytes to write back */
	char			desc[512];
};

static __printf(2, 3) void describe(struct target *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->desc, sizeof(t->desc), fmt, ap);
	va_end(ap);
}

/* ---- crafted damage, per type ------------------------------------------------ */

static void craft_sb(struct target *t, enum dmode m, unsigned int v)
{
	struct bch_sb *sb = (void *)t->buf;
	u64 nb = le64_to_cpu(sb->nbuckets);

	switch (m) {
	case M_BIGCOUNT:
		if (v == 0) {
			sb->journal_buckets = cpu_to_le32(BCH_JOURNAL_MAX + 1);
			describe(t, "journal_buckets = %u", BCH_JOURNAL_MAX + 1);
		} else if (v == 1) {
			nb = le64_to_cpu(sb->device_sectors) /
			     le32_to_cpu(sb->bucket_size);
			sb->nbuckets = cpu_to_le64(nb);
			describe(t, "nbuckets = %llu (no tail guard)", nb);
		} else if (v == 2) {
			sb->prio_pages = cpu_to_le32(le32_to_cpu(sb->prio_pages) + 1);
			describe(t, "prio_pages = %u", le32_to_cpu(sb->prio_pages));
		} else {
			sb->device_sectors = cpu_to_le64(le64_to_cpu(sb->device_sectors) +
							 (1ULL << 21));
			describe(t, "device_sectors = %llu (beyond the device)",
				 le64_to_cpu(sb->device_sectors));
		}
		break;
	case M_BADPTR:
		if (v == 0) {
			sb->journal_bucket = cpu_to_le64(nb);
			describe(t, "journal_bucket = nbuckets = %llu", nb);
		} else if (v == 1) {
			sb->data_bucket = cpu_to_le64(nb - 1);
			describe(t, "data_bucket = %llu (one data bucket)", nb - 1);
		} else {
			sb->uuid_bucket = 0;
			describe(t, "uuid_bucket = 0 (in the head)");
		}
		break;
	case M_OVERLAP:
		if (v == 0) {
			sb->prio_bucket = sb->uuid_bucket;
			describe(t, "prio_bucket = uuid_bucket = %llu",
				 le64_to_cpu(sb->uuid_bucket));
		} else {
			sb->journal_bucket = sb->prio_bucket;
			describe(t, "journal_bucket = prio_bucket = %llu",
				 le64_to_cpu(sb->prio_bucket));
		}
		break;
	default:
		break;
	}
	bch_sb_seal(sb);
}

static void craft_uuid(struct target *t, enum dmode m, unsigned int v)
{
	const struct item *o = other_copy(t->im, t->it);
	struct bch_uuid_set *u = (void *)t->buf;
	const struct bch_geom *g = &t->im->g;
	unsigned int slot = t->it->slot;
	u64 seq = le64_to_cpu(u->seq), oseq = o ? o->seq : 0;
	int used, free_slot, i;

	switch (m) {
	case M_BIGCOUNT:
		if (v == 0) {
			u->nr = cpu_to_le32(BCH_UUID_ENTRIES + 1);
			raw_seal(t->im, u, sizeof(*u));
			describe(t, "nr = %d", BCH_UUID_ENTRIES + 1);
			return;
		}
		for (i = 0; i < BCH_UUID_ENTRIES - 1; i++)
			if (u->entries[i].state)
				break;
		u->entries[i].fp_len = cpu_to_le32(BCH_FP_MAX_BYTES + 512);
		describe(t, "entry %d fp_len = %u", i,
			 (u32)(BCH_FP_MAX_BYTES + 512));
		break;
	case M_BADPTR:
		if (v == 0)
			u->sector = cpu_to_le64(bch_uuid_slot_sector(g, !slot));
		else
			u->slot = cpu_to_le32(!slot);
		raw_seal(t->im, u, sizeof(*u));
		describe(t, v ? "slot field = %u" : "sector field = slot %u's",
			 !slot);
		return;
	case M_BADSEQ:
		if (v == 0) {
			u->seq = 0;
			raw_seal(t->im, u, sizeof(*u));
			describe(t, "seq = 0");
			return;
		}
		if (v == 1) {
			seq = oseq > 1 ? oseq - 1 : 1;
			describe(t, "seq %llu -> %llu (other copy: %llu): rolled back",
				 le64_to_cpu(u->seq), seq, oseq);
		} else {
			seq = (seq > oseq ? seq : oseq) + 1;
			describe(t, "seq %llu -> %llu (other copy: %llu): promoted",
				 le64_to_cpu(u->seq), seq, oseq);
		}
		break;
	case M_OVERLAP:
		used = -1;
		for (i = 0; i < BCH_UUID_ENTRIES && used < 0; i++)
			if (u->entries[i].state)
				used = i;
		free_slot = bch_uuid_free_slot(u);
		if (free_slot < 0)
			not_applicable("uuid table is full");
		if (used < 0) {
			used = free_slot;
			memset(&u->entries[used], 0, sizeof(u->entries[0]));
			u->entries[used].state = cpu_to_le32(BCH_UUID_CLEAN);
			for (i = 0; i < BCH_UUID_LEN; i++)
				u->entries[used].uuid[i] = (u8)(rng() | 1);
			free_slot = bch_uuid_free_slot(u);
			if (free_slot < 0)
				not_applicable("uuid table is full");
		}
		u->entries[free_slot] = u->entries[used];
		describe(t, "entry %d duplicated into entry %d", used,
			 free_slot);
		break;
	default:
		break;
	}
	if (bch_uuid_set_seal(u, t->len, g, slot, seq))
		die("cannot seal the uuid table");
}

static void craft_prio(struct target *t, enum dmode m, unsigned int v)
{
	const struct item *o = other_copy(t->im, t->it);
	struct bch_prio_page *p = (void *)t->buf;
	const struct bch_geom *g = &t->im->g;
	u32 page = t->it->page, nr = bch_prio_page_nr(g, page), i, n = 0;
	unsigned int slot = t->it->slot;
	u64 seq = le64_to_cpu(p->seq), oseq = o ? o->seq : 0, b;
	u8 from, to;

	switch (m) {
	case M_BIGCOUNT:
		p->nr = cpu_to_le32(nr + 1);
		raw_seal(t->im, p, sizeof(*p));
		describe(t, "nr = %u", nr + 1);
		return;
	case M_BADPTR:
		if (v == 0) {
			p->sector = cpu_to_le64(bch_prio_page_sector(g, page,
								     !slot));
			describe(t, "sector field = the other copy's");
		} else {
			p->page = cpu_to_le32(g->prio_pages > 1 ? page ^ 1 :
					      page + 1);
			describe(t, "page field = %u", le32_to_cpu(p->page));
		}
		raw_seal(t->im, p, sizeof(*p));
		return;
	case M_BADGEN:
		for (i = 0; i < nr; i++) {
			b = (u64)page * BCH_PRIOS_PER_PAGE + i;
			if (b < g->data_bucket ||
			    (p->entries[i].type != BCH_BUCKET_DATA &&
			     p->entries[i].type != BCH_BUCKET_BTREE))
				continue;
			p->entries[i].gen += v == 0 ? 0xff : v == 1 ? 1 : 128;
			n++;
		}
		if (!n)
			not_applicable("no btree or data bucket in page %u", page);
		describe(t, "gen %s of %u btree/data buckets", v == 0 ? "-1" :
			 v == 1 ? "+1" : "+128", n);
		break;
	case M_BADSEQ:
		if (v == 0) {
			p->seq = 0;
			raw_seal(t->im, p, sizeof(*p));
			describe(t, "seq = 0");
			return;
		}
		seq = (seq > oseq ? seq : oseq) + 1;
		describe(t, "seq %llu -> %llu (other copy: %llu): promoted",
			 le64_to_cpu(p->seq), seq, oseq);
		break;
	case M_OVERLAP:
		if (v == 0) {
			for (i = 0; i < nr; i++)
				if ((u64)page * BCH_PRIOS_PER_PAGE + i >=
				    g->data_bucket)
					break;
			if (i == nr)
				not_applicable("page %u has no data bucket", page);
			p->entries[i].type = BCH_BUCKET_META;
			describe(t, "bucket %llu typed metadata",
				 (u64)page * BCH_PRIOS_PER_PAGE + i);
			break;
		}
		from = v == 1 ? BCH_BUCKET_BTREE : BCH_BUCKET_DATA;
		to = v == 1 ? BCH_BUCKET_DATA : BCH_BUCKET_BTREE;
		for (i = 0; i < nr; i++) {
			if (p->entries[i].type != from)
				continue;
			p->entries[i].type = to;
			n++;
		}
		if (!n)
			not_applicable("no %s bucket in page %u",
				       v == 1 ? "btree" : "data", page);
		describe(t, "%u %s buckets typed %s", n,
			 v == 1 ? "btree" : "data", v == 1 ? "data" : "btree");
		break;
	default:
		break;
	}
	if (bch_prio_page_seal(p, sizeof(*p), g, page, slot, seq))
		die("cannot seal the prio page");
}

/* Checksum a jset/bset whose keys may run past @t->len (bigcount). */
static void seal_long(struct target *t, u32 hdr, u32 nr)
{
	u64 end = hdr + (u64)nr * sizeof(struct bch_key);
	u64 off = t->it->sector << BCH_SECTOR_SHIFT;
	u8 *tmp;

	if (end > t->im->bytes - off) {
		strncat(t->desc, "; not resealed (keys run past the image)",
			sizeof(t->desc) - strlen(t->desc) - 1);
		return;
	}
	tmp = xzalloc(end);
	read_at(t->im, tmp, end, off);
	memcpy(tmp, t->buf, hdr);
	raw_seal(t->im, tmp, end);
	memcpy(t->buf, tmp, 4);
	free(tmp);
}

static void craft_jset(struct target *t, enum dmode m, unsigned int v)
{
	struct bch_jset *j = (void *)t->buf;
	const struct bch_geom *g = &t->im->g;
	u32 nr = le32_to_cpu(j->nr_keys), i, n = 0;
	u64 b, seq = le64_to_cpu(j->seq);
	struct bch_key *k;

	i = first_ptr_key(j->keys, nr);
	k = i < nr ? &j->keys[i] : NULL;
	switch (m) {
	case M_BIGCOUNT:
		if (v == 2) {
			j->root_level = cpu_to_le32(BCH_BTREE_MAX_LEVEL);
			describe(t, "root_level = %u", BCH_BTREE_MAX_LEVEL);
			break;
		}
		nr = v == 0 ? (t->len - sizeof(*j)) / sizeof(*k) + 1 :
			      0xffffffffU;
		j->nr_keys = cpu_to_le32(nr);
		describe(t, "nr_keys = %u (to the bucket end: %zu bytes)", nr,
			 t->len);
		if (v == 0)
			seal_long(t, sizeof(*j), nr);
		return;
	case M_BADPTR:
		if (v <= 2 && !k)
			not_applicable("entry has no pointer key");
		if (v >= 3 && !bch_ptr_is_ptr(&j->root))
			not_applicable("entry has no root");
		if (v == 0) {
			set_ptr(k, g->nbuckets * g->bucket_sectors,
				bch_ptr_size(k), bch_ptr_gen(k));
			describe(t, "key %u pointer at bucket nbuckets", i);
		} else if (v == 1) {
			ptr_cross_bucket(t->im, k);
			describe(t, "key %u extent crosses its bucket's end", i);
		} else if (v == 2) {
			b = bucket_of_type(t->im, BCH_BUCKET_BTREE, U64_MAX);
			if (b == U64_MAX)
				not_applicable("no btree bucket known");
			set_ptr(k, b * g->bucket_sectors, bch_ptr_size(k) <
				g->bucket_sectors ? bch_ptr_size(k) :
				g->bucket_sectors, t->im->gen[b]);
			describe(t, "key %u points into btree bucket %llu (current gen)",
				 i, b);
		} else if (v == 3) {
			set_ptr(&j->root, bch_ptr_sector(&j->root) +
				g->block_sectors, g->bucket_sectors,
				bch_ptr_gen(&j->root));
			describe(t, "root pointer not at a bucket start");
		} else {
			b = bucket_of_type(t->im, BCH_BUCKET_DATA, U64_MAX);
			if (b == U64_MAX)
				not_applicable("no data bucket known");
			set_ptr(&j->root, b * g->bucket_sectors,
				g->bucket_sectors, t->im->gen[b]);
			describe(t, "root points at data bucket %llu (current gen)",
				 b);
		}
		break;
	case M_BADGEN:
		if (v == 0) {
			if (!bch_ptr_is_ptr(&j->root))
				not_applicable("entry has no root");
			set_ptr(&j->root, bch_ptr_sector(&j->root),
				bch_ptr_size(&j->root),
				bch_ptr_gen(&j->root) + 1);
			describe(t, "root pointer gen + 1");
			break;
		}
		for (i = 0; i < nr; i++) {
			if (!bch_ptr_is_ptr(&j->keys[i]))
				continue;
			set_ptr(&j->keys[i], bch_ptr_sector(&j->keys[i]),
				bch_ptr_size(&j->keys[i]),
				bch_ptr_gen(&j->keys[i]) + 1);
			n++;
		}
		if (!n)
			not_applicable("entry has no pointer key");
		describe(t, "gen + 1 in %u pointer keys", n);
		break;
	case M_BADSEQ:
		if (v == 0) {
			j->last_seq = cpu_to_le64(seq + 1);
			describe(t, "last_seq = seq + 1 = %llu", seq + 1);
		} else if (v == 1) {
			j->seq = 0;
			describe(t, "seq = 0");
		} else if (v == 2) {
			j->last_seq = cpu_to_le64(1);
			describe(t, "last_seq %llu -> 1",
				 t->it->last_seq);
		} else {
			j->seq = cpu_to_le64(seq + 1000);
			describe(t, "seq %llu -> %llu (a gap)", seq, seq + 1000);
		}
		break;
	case M_OVERLAP:
		if (!k || (v == 1 && bch_ptr_size(k) < 2))
			not_applicable("entry has no suitable pointer key");
		if (sizeof(*j) + (u64)(nr + 1) * sizeof(*k) > t->it->bytes)
			not_applicable("no room for one more key in the entry");
		memmove(k + 2, k + 1, (nr - i - 1) * sizeof(*k));
		k[1] = k[0];
		if (v == 1)
			k[1] = bch_key_make(bch_key_dev(k), bch_key_start(k) + 1,
					    bch_ptr_size(k) - 1,
					    bch_ptr_sector(k) + 1,
					    bch_ptr_gen(k), true,
					    bch_ptr_is_dirty(k));
		j->nr_keys = cpu_to_le32(nr + 1);
		describe(t, "key %u followed by %s", i,
			 v ? "an overlapping part of itself" : "a copy of itself");
		break;
	default:
		break;
	}
	if (bch_jset_seal(j, t->len, g, t->it->sector))
		die("cannot seal the journal entry");
}

static void craft_bset(struct target *t, enum dmode m, unsigned int v)
{
	struct bch_bset *bs = (void *)t->buf;
	const struct bch_geom *g = &t->im->g;
	u32 nr = le32_to_cpu(bs->nr_keys), i, n = 0;
	bool leaf = !t->it->level;
	struct bch_key *k, tmp;
	u64 b;

	i = first_ptr_key(bs->keys, nr);
	k = i < nr ? &bs->keys[i] : NULL;
	switch (m) {
	case M_BIGCOUNT:
		nr = v == 0 ? (t->len - sizeof(*bs)) / sizeof(*k) + 1 :
			      0xffffffffU;
		bs->nr_keys = cpu_to_le32(nr);
		describe(t, "nr_keys = %u (to the node end: %zu bytes)", nr,
			 t->len);
		if (v == 0)
			seal_long(t, sizeof(*bs), nr);
		return;
	case M_BADPTR:
		if (!k)
			not_applicable("bset has no pointer key");
		if (v == 0) {
			set_ptr(k, g->nbuckets * g->bucket_sectors,
				bch_ptr_size(k), bch_ptr_gen(k));
			describe(t, "key %u pointer at bucket nbuckets", i);
		} else if (v == 1 && leaf) {
			ptr_cross_bucket(t->im, k);
			describe(t, "key %u extent crosses its bucket's end", i);
		} else if (v == 1) {
			set_ptr(k, bch_ptr_sector(k) + g->block_sectors,
				bch_ptr_size(k), bch_ptr_gen(k));
			describe(t, "child pointer %u not at a bucket start", i);
		} else if (leaf) {
			b = t->it->node;
			set_ptr(k, b * g->bucket_sectors, bch_ptr_size(k) <
				g->bucket_sectors ? bch_ptr_size(k) :
				g->bucket_sectors,
				t->im->prios_known ? t->im->gen[b] : 0);
			describe(t, "key %u points into its node's bucket %llu",
				 i, b);
		} else {
			b = bucket_of_type(t->im, BCH_BUCKET_DATA, U64_MAX);
			if (b == U64_MAX)
				not_applicable("no data bucket known");
			set_ptr(k, b * g->bucket_sectors, g->bucket_sectors,
				t->im->gen[b]);
			describe(t, "child pointer %u at data bucket %llu", i,
				 b);
		}
		break;
	case M_BADGEN:
		for (i = 0; i < nr; i++) {
			if (!bch_ptr_is_ptr(&bs->keys[i]))
				continue;
			set_ptr(&bs->keys[i], bch_ptr_sector(&bs->keys[i]),
				bch_ptr_size(&bs->keys[i]),
				bch_ptr_gen(&bs->keys[i]) + 1);
			n++;
		}
		if (!n)
			not_applicable("bset has no pointer key");
		describe(t, "gen + 1 in %u %s", n, leaf ? "pointer keys" :
			 "node pointers");
		break;
	case M_BADSEQ:
		if (v == 0) {
			bs->node_seq = 0;
			describe(t, "node_seq = 0");
		} else if (v == 1) {
			bs->node_seq = cpu_to_le64(le64_to_cpu(bs->node_seq) ^ 1);
			describe(t, "node_seq ^= 1 (another incarnation)");
		} else {
			bs->idx = cpu_to_le32(le32_to_cpu(bs->idx) + 1);
			describe(t, "idx = %u", le32_to_cpu(bs->idx));
		}
		break;
	case M_OVERLAP:
		if (v == 2) {
			if (!nr)
				not_applicable("bset has no keys");
			if (t->it->hi != U64_MAX) {
				set_start(&bs->keys[nr - 1], t->it->hi);
				describe(t, "last key moved to the node's end %#llx",
					 t->it->hi);
			} else if (t->it->lo) {
				set_start(&bs->keys[0], t->it->lo - 1);
				describe(t, "first key moved below the node's start %#llx",
					 t->it->lo);
			} else {
				not_applicable("node covers the whole key space");
			}
			break;
		}
		if (nr < 2)
			not_applicable("bset has fewer than two keys");
		i = (u32)(rng() % (nr - 1));
		if (v == 0) {
			tmp = bs->keys[i];
			bs->keys[i] = bs->keys[i + 1];
			bs->keys[i + 1] = tmp;
			describe(t, "keys %u and %u swapped", i, i + 1);
		} else {
			set_start(&bs->keys[i + 1], bch_key_raw(&bs->keys[i]) +
				  (leaf && bch_ptr_size(&bs->keys[i]) > 1));
			describe(t, "key %u starts inside key %u", i + 1, i);
		}
		break;
	default:
		break;
	}
	if (bch_bset_seal(bs, t->len, g))
		die("cannot seal the bset");
}

/* ---- what the validator says now ------------------------------------------ */

static void verdict(struct target *t)
{
	const struct item *it = t->it;
	const struct bch_geom *g = &t->im->g;
	struct bch_bset_expect e = { 0 };
	const char *why = "";
	struct bch_geom ng;
	int ret = 0;

	switch (it->type) {
	case T_SB:
		ret = bch_sb_validate(t->buf, t->len,
				      t->im->bytes >> BCH_SECTOR_SHIFT, &ng,
				      &why);
		break;
	case T_UUID:
		ret = bch_uuid_set_validate(t->buf, t->len, g, it->slot, &why);
		break;
	case T_PRIO:
		ret = bch_prio_page_validate(t->buf, t->len, g, it->page,
					     it->slot, &why);
		break;
	case T_JSET:
		ret = bch_jset_validate(t->buf, t->len, g, it->sector, &why);
		break;
	case T_BSET:
		e.node_sector = it->node * g->bucket_sectors;
		e.node_seq = it->idx ? it->node_seq : 0;
		e.offset = it->sector - e.node_sector;
		e.idx = it->idx;
		e.level = it->level;
		ret = bch_bset_validate(t->buf, t->len, g, &e, &why);
		break;
	default:
		break;
	}
	if (ret)
		printf("validator: rejects (%d): %s\n", ret, why);
	else
		printf("validator: accepts\n");
}

static u64 newest_jseq(const struct img *im)
{
	u32 i;

	for (i = 0; i < im->nr; i++)
		if (im->it[i].type == T_JSET && im->it[i].newest)
			return im->it[i].seq;
	return 0;
}

/*
 * A bset write torn by a crash: begun while journal entry @jseq was open,
 * its header sector written, the rest not (zeroes); one sector or less:
 * a checksum that does not match.
 */
static void torn_bset(struct target *t, u64 jseq)
{
	struct bch_bset *bs = (void *)t->buf;
	u32 bytes = sizeof(*bs) +
		    le32_to_cpu(bs->nr_keys) * sizeof(struct bch_key);

	bs->journal_seq = cpu_to_le64(jseq);
	if (bch_bset_seal(bs, t->len, &t->im->g))
		die("cannot seal the bset");
	if (bytes > BCH_SECTOR_SIZE) {
		memset(t->buf + BCH_SECTOR_SIZE, 0, bytes - BCH_SECTOR_SIZE);
		describe(t, "journal_seq = %llu, sectors after the first zeroed",
			 jseq);
	} else {
		bs->csum ^= cpu_to_le32(1);
		describe(t, "journal_seq = %llu, csum ^= 1", jseq);
	}
}

static void damage(struct img *im, const struct item *it, enum dmode m,
		   u64 seed)
{
	unsigned int nv = nvariants[m][it->type], v;
	struct target t = { .im = im, .it = it };
	u64 off = it->sector << BCH_SECTOR_SHIFT, end;
	size_t covered;
	u32 x;

	if (!nv)
		not_applicable("mode %s does not apply to %s", mode_names[m],
			       type_names[it->type]);
	v = seed % nv;
	rng_seed(seed);
	t.len = it->bytes;
	if (it->type == T_JSET || it->type == T_BSET) {
		end = (it->sector / im->g.bucket_sectors + 1) *
		      bucket_bytes(im);
		t.len = end - off;
	}
	t.wlen = t.len;
	t.buf = xzalloc(t.len);
	read_at(im, t.buf, t.len, off);
	/* The bytes the checksum covers: flips there always matter. */
	covered = it->bytes;
	if (it->type == T_JSET || it->type == T_BSET)
		covered = (it->type == T_JSET ? sizeof(struct bch_jset) :
			   sizeof(struct bch_bset)) +
			  (size_t)it->nkeys * sizeof(struct bch_key);

	switch (m) {
	case M_FLIP:
		flip_bytes(t.buf, covered, t.desc, sizeof(t.desc));
		break;
	case M_ZERO:
		memset(t.buf, 0, it->bytes);
		describe(&t, "%u bytes zeroed", it->bytes);
		break;
	case M_TORN:
		if (!newest_jseq(im))
			not_applicable("no journal entry");
		torn_bset(&t, newest_jseq(im) + !v);
		break;
	case M_BADCSUM:
		x = (u32)rng();
		if (!x)
			x = 1;
		((__le32 *)t.buf)[0] ^= cpu_to_le32(x);
		describe(&t, "csum ^= %#x", x);
		break;
	default:
		if (it->type == T_SB)
			craft_sb(&t, m, v);
		else if (it->type == T_UUID)
			craft_uuid(&t, m, v);
		else if (it->type == T_PRIO)
			craft_prio(&t, m, v);
		else if (it->type == T_JSET)
			craft_jset(&t, m, v);
		else
			craft_bset(&t, m, v);
		break;
	}
	write_at(im, t.buf, t.wlen, off);
	printf("%s %u at sector %llu: %s v%u/%u: %s\n", type_names[it->type],
	       it->index, it->sector, mode_names[m], v, nv, t.desc);
	verdict(&t);
	free(t.buf);
}

/* ---- main ------------------------------------------------------------------ */

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: bch-damage IMAGE list\n"
		"       bch-damage IMAGE TYPE INDEX MODE [SEED]\n"
		"       bch-damage --modes TYPE\n"
		"TYPE: sb uuid prio jset bset\n"
		"MODE: flip zero badcsum bigcount badptr badgen badseq overlap torn\n"
		"Exit: 0 done, 1 error, 2 bad arguments, 3 not applicable here.\n");
}

static int lookup(const char * const *names, int n, const char *s)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(names[i], s))
			return i;
	return -1;
}

static u64 parse_u64(const char *s, const char *what)
{
	char *end;
	u64 v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || *s == '-') {
		fprintf(stderr, "%s: bad %s '%s'\n", prog, what, s);
		usage(stderr);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	const struct item *it;
	int type, mode, i;
	struct img im;
	u64 index, seed = 1;

	if (argc == 2 && (!strcmp(argv[1], "-h") ||
			  !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "--modes")) {
		type = lookup(type_names, T_NR, argv[2]);
		if (type < 0) {
			fprintf(stderr, "%s: unknown type '%s'\n", prog,
				argv[2]);
			return 2;
		}
		for (i = 0; i < M_NR; i++)
			if (nvariants[i][type])
				printf("%s %u\n", mode_names[i],
				       nvariants[i][type]);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[2], "list")) {
		img_open(&im, argv[1], false);
		find_all(&im);
		for (i = 0; i < (int)im.nr; i++)
			print_item(&im.it[i]);
		return 0;
	}
	if (argc != 5 && argc != 6) {
		usage(stderr);
		return 2;
	}
	type = lookup(type_names, T_NR, argv[2]);
	mode = lookup(mode_names, M_NR, argv[4]);
	if (type < 0 || mode < 0) {
		fprintf(stderr, "%s: unknown %s '%s'\n", prog,
			type < 0 ? "type" : "mode",
			type < 0 ? argv[2] : argv[4]);
		usage(stderr);
		return 2;
	}
	index = parse_u64(argv[3], "index");
	if (argc == 6)
		seed = parse_u64(argv[5], "seed");
	img_open(&im, argv[1], true);
	find_all(&im);
	it = index <= UINT32_MAX ? find_item(&im, type, (u32)index) : NULL;
	if (!it)
		die("%s: no %s with index %llu (see 'list')", argv[1],
		    type_names[type], index);
	damage(&im, it, mode, seed);
	return 0;
}
