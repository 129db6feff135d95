// SPDX-License-Identifier: GPL-2.0
/*
 * bcache engine: reading and validating btree nodes.
 *
 * A node's log is read bset by bset. Each bset is validated (checksum,
 * magic, node_seq, sector, offset, index, level, sorted keys, pointer
 * sanity: bch_bset_validate()), then its keys must lie in the node's range
 * and fit the in-memory cap. A node whose first bset is bad, or that breaks
 * a rule, is BAD: it is never trusted, its range reads as uncached, and it
 * is replaced (by whatever was inserted since, or by an empty subtree)
 * before an invalidation in its range may report success.
 *
 * Where the log ends matters as much as what it holds: a lost bset brings
 * back the older extents its keys replaced, which is stale data. The first
 * bset that fails validation ends the log quietly only if no bset of this
 * node follows it and it is not this node's:
 *  - unwritten space or garbage (its header is not this node's), or
 *  - a bset of an older incarnation of the bucket: a good checksum, another
 *    node_seq, and written before this node's first bset (buckets are freed
 *    only after a later journal write, so its journal_seq is lower).
 *
 * A failing bset whose header is this node's is a write torn by a crash,
 * or damage. The two cannot be told apart: a torn write is harmless (its
 * keys are in the journal, or were never acknowledged), but a bset that
 * went bad after it was durable may hold the only copy of keys that
 * replaced older ones, and a crafted image can make either look like the
 * other. So the node is dropped either way. A crash tears at most the one
 * node write in flight (node writes are serialised), so recovery loses at
 * most that node's range, which only goes cold.
 *
 * Pointers from the future. On disk no leaf pointer is newer than its
 * bucket's gen: a gen is durable before anything is written into the
 * bucket. A pointer whose gen is after the gen the bucket had when the
 * cache was registered (reg_gen) therefore means damaged metadata, and
 * once reclaim has bumped the bucket that far it would look current and
 * serve whatever the bucket then holds. So the first time a node is read
 * after registration (its bucket not yet BCH_BF_KNOWN), such pointers are
 * turned into holes, which also erase older keys they had replaced, their
 * buckets are poisoned (bch_bucket_poison(): pointers of the gen the
 * damage brought back are stale again), and the node is marked SCRUB:
 * rewritten without them at its next write, and not evictable before.
 * Later reads of the node need no check: either it
 * had no such pointer, or it has been rewritten into a bucket allocated
 * since registration, whose bsets all are ours.
 *
 * A pointer of the gen the damage brought back can be served before the
 * node that proves the damage is read. So when registration meets such a
 * pointer (in the journal or the nodes replay reads), it reads the whole
 * tree at once (bch_btree_scrub()), before the cache serves anything.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "bcache.h"
#include "btree.h"

#define READ_CHUNK	BIT(20)

/* A window of up to READ_CHUNK bytes over the node's bucket. */
struct node_reader {
	struct cache_set *c;
	u64		start;		/* the node's first sector */
	void		*buf;
	u32		chunk;		/* bytes of buf */
	u32		cstart;		/* the node sector buf starts at */
	u32		loaded;		/* bytes of buf read, 0 if none */
};

/*
 * Point *@p at sector @off of the node with at least @bytes readable (or
 * all that is left of the window when @bytes exceeds it); *@avail: bytes
 * readable from *@p.
 */
static int reader_get(struct node_reader *r, u32 off, u32 bytes,
		      const void **p, u32 *avail)
{
	u32 bs = r->c->g.bucket_sectors;
	u64 in = ((u64)off - r->cstart) << SECTOR_SHIFT;
	int ret;

	if (!r->loaded || off < r->cstart || in + bytes > r->loaded) {
		r->cstart = off;
		r->loaded = min_t(u32, r->chunk, (bs - off) << SECTOR_SHIFT);
		ret = bch_meta_rw(r->c, r->start + off, r->buf, r->loaded,
				  REQ_OP_READ);
		if (ret) {
			r->loaded = 0;
			return ret;
		}
		in = 0;
	}
	*p = r->buf + in;
	*avail = r->loaded - in;
	return 0;
}

static void node_bad(struct cache_set *c, struct btree *n, const char *why)
{
	pr_err_ratelimited("%s: btree node at bucket %llu (level %u) dropped: %s\n",
			   c->name, n->bucket, n->level, why);
	set_bit(BTREE_BAD, &n->flags);
	set_bit(BTREE_REWRITE, &n->flags);
	n->live.nr = 0;
	if (n->pending.k)
		n->pending.nr = 0;
	atomic_inc(&c->bad_nodes);
}

/*
 * Apply bset @b to the node's keys; @scrub: the first read since
 * registration, *@dropped counts the pointers from the future.
 */
static int apply_bset(struct cache_set *c, struct btree *n,
		      const struct bch_bset *b, bool scrub, u32 *dropped,
		      const char **why)
{
	u32 i, nr = le32_to_cpu(b->nr_keys);

	for (i = 0; i < nr; i++) {
		const struct bch_key *k = &b->keys[i];
		u64 raw = bch_key_raw(k);
		struct bch_key hole;

		if (raw < n->lo || raw >= n->hi ||
		    (!n->level && bch_kend(k) > n->hi)) {
			*why = "key outside the node's range";
			return -EUCLEAN;
		}
		if (scrub && !n->level && bch_ptr_from_future(c, k)) {
			bch_bucket_poison(c, k);
			hole = bch_key_as_hole(k);
			k = &hole;
			(*dropped)++;
		}
		if (n->level ? bch_keys_insert_ptr(&n->live, k) :
			       bch_keys_insert_extent(&n->live, k, false)) {
			*why = "more keys than a node may hold";
			return -EUCLEAN;
		}
	}
	return 0;
}

/* Whether @b, at sector @off, names this node, @e, in its header. */
static bool header_is_nodes(const struct bch_bset *b, u32 off,
			    const struct bch_bset_expect *e, u32 max_diff)
{
	struct bch_bset h = {
		.magic = cpu_to_le64(BCH_BSET_MAGIC),
		.node_seq = cpu_to_le64(e->node_seq),
		.sector = cpu_to_le64(e->node_sector),
		.offset = cpu_to_le32(off),
		.idx = cpu_to_le32(e->idx),
	};
	const u8 *x = (const u8 *)&h, *y = (const u8 *)b;
	static const struct { u32 at, len; } f[] = {
		{ offsetof(struct bch_bset, magic), 24 },
		{ offsetof(struct bch_bset, offset), 8 },
	};
	u32 i, j, diff = 0;

	for (i = 0; i < ARRAY_SIZE(f); i++)
		for (j = f[i].at; j < f[i].at + f[i].len; j++)
			diff += x[j] != y[j];
	return diff <= max_diff;
}

/*
 * Whether a bset of this node lies beyond the failed one at @off: its
 * header names the node, its sector and a later index that fits.
 */
static int later_bset(struct node_reader *r, u32 off,
		      const struct bch_bset_expect *e, bool *found)
{
	const struct bch_geom *g = &r->c->g;
	const struct bch_bset *b;
	u32 q, avail, idx;
	int ret;

	*found = false;
	for (q = off + g->block_sectors; q < g->bucket_sectors;
	     q += g->block_sectors) {
		ret = reader_get(r, q, sizeof(*b), (const void **)&b, &avail);
		if (ret)
			return ret;
		idx = le32_to_cpu(b->idx);
		if (le64_to_cpu(b->magic) == BCH_BSET_MAGIC &&
		    le64_to_cpu(b->node_seq) == e->node_seq &&
		    le64_to_cpu(b->sector) == e->node_sector &&
		    le32_to_cpu(b->offset) == q &&
		    idx > e->idx && idx - e->idx <= (q - off) / g->block_sectors) {
			*found = true;
			return 0;
		}
	}
	return 0;
}

static bool bset_csum_ok(const struct bch_bset *b, u32 avail,
			 const struct bch_geom *g)
{
	u64 end = sizeof(*b) + (u64)le32_to_cpu(b->nr_keys) *
			       sizeof(struct bch_key);

	return end <= avail &&
	       le32_to_cpu(b->csum) ==
	       bch_crc32c(g->csum_seed, &b->nr_keys, end - sizeof(b->csum));
}

/*
 * The bset at sector @off, @avail bytes readable, failed validation for
 * *@why. Decide, as the comment at the top says, whether the log ends
 * there (0) or the node must be dropped (-EUCLEAN, *@why).
 */
static int log_end(struct node_reader *r, const struct bch_bset *b,
		   u32 avail, const struct bch_bset_expect *e, u64 jseq0,
		   const char **why)
{
	struct cache_set *c = r->c;
	bool csum = bset_csum_ok(b, avail, &c->g);
	bool ours = header_is_nodes(b, e->offset, e, 1);
	bool foreign = le64_to_cpu(b->node_seq) != e->node_seq;
	u64 jseq = le64_to_cpu(b->journal_seq);
	bool found;
	int ret;

	/* b points into the reader's window: done with it before moving it. */
	ret = later_bset(r, e->offset, e, &found);
	if (ret) {
		*why = "read error";
		return ret;
	}
	if (found) {
		*why = "a bset in the middle of the log is unreadable";
		return -EUCLEAN;
	}
	if (csum && foreign) {
		if (jseq < jseq0)
			return 0;
		*why = "a bset of another incarnation is newer than the node";
		return -EUCLEAN;
	}
	if (csum)
		return -EUCLEAN;	/* written so: never a torn write */
	if (!ours)
		return 0;
	*why = "the last bset is unreadable (torn by a crash, or damaged)";
	return -EUCLEAN;
}

/**
 * bch_node_read() - read and validate a node from its bucket
 * @c: cache set
 * @n: new node, write locked, with bucket, gen, range and level set
 *
 * On any failure the node is marked BAD (and dirty, so that it gets
 * replaced) instead of returning an error.
 *
 * Return: 0, or -ENODATA if the node is BAD.
 */
int bch_node_read(struct cache_set *c, struct btree *n)
{
	struct bch_bucket *bk = &c->buckets[n->bucket];
	u32 bs = c->g.bucket_sectors, off = 0, avail;
	struct node_reader r = {
		.c = c,
		.start = bch_bucket_to_sector(&c->g, n->bucket),
		.chunk = min_t(u32, READ_CHUNK, bs << SECTOR_SHIFT),
	};
	struct bch_bset_expect e = {
		.node_sector = r.start, .level = n->level,
	};
	const char *why = "no valid first bset";
	unsigned int noio;
	u32 dropped = 0;
	u64 jseq0 = 0;
	bool scrub;
	int ret = 0;

	lockdep_assert_held_write(&n->lock);
	if (n->bucket < c->g.data_bucket || n->bucket >= c->g.nbuckets ||
	    bk->type != BCH_BUCKET_BTREE || bk->gen != n->gen) {
		why = "pointer to a bucket that holds no node";
		goto bad;
	}
	spin_lock(&c->alloc.lock);
	scrub = !(bk->flags & BCH_BF_KNOWN);
	spin_unlock(&c->alloc.lock);
	noio = memalloc_noio_save();
	r.buf = kvmalloc(r.chunk, GFP_KERNEL);
	memalloc_noio_restore(noio);
	if (!r.buf) {
		why = "out of memory";
		goto bad;
	}
	while (off < bs) {
		const struct bch_bset *b;
		u64 bytes;

		ret = reader_get(&r, off, sizeof(*b), (const void **)&b,
				 &avail);
		if (ret) {
			why = "read error";
			break;
		}
		bytes = bch_bset_bytes(&c->g, le32_to_cpu(b->nr_keys));
		if (le64_to_cpu(b->magic) == BCH_BSET_MAGIC && bytes > avail &&
		    bytes <= ((u64)(bs - off) << SECTOR_SHIFT) &&
		    bytes <= r.chunk) {
			ret = reader_get(&r, off, bytes, (const void **)&b,
					 &avail);
			if (ret) {
				why = "read error";
				break;
			}
		}
		e.offset = off;
		e.idx = n->nbsets;
		if (bch_bset_validate(b, avail, &c->g, &e, &why)) {
			ret = n->nbsets ? log_end(&r, b, avail, &e, jseq0, &why)
					: -EUCLEAN;
			break;
		}
		if (!n->nbsets) {
			e.node_seq = le64_to_cpu(b->node_seq);
			jseq0 = le64_to_cpu(b->journal_seq);
		}
		ret = apply_bset(c, n, b, scrub, &dropped, &why);
		if (ret)
			break;
		n->nbsets++;
		off += bytes >> SECTOR_SHIFT;
	}
	kvfree(r.buf);
	if (ret < 0 || !n->nbsets)
		goto bad;
	if (n->level && !n->live.nr) {
		why = "interior node without children";
		goto bad;
	}
	n->node_seq = e.node_seq;
	n->woff = off;
	if (off >= bs)
		set_bit(BTREE_REWRITE, &n->flags);
	spin_lock(&c->alloc.lock);
	bk->flags |= BCH_BF_KNOWN;
	spin_unlock(&c->alloc.lock);
	if (dropped) {
		pr_err_ratelimited("%s: btree node at bucket %llu: %u pointers newer than their buckets dropped (damaged metadata)\n",
				   c->name, n->bucket, dropped);
		set_bit(BTREE_SCRUB, &n->flags);
		bch_node_mark_dirty(c, n);
	}
	return 0;
bad:
	node_bad(c, n, why);
	bch_node_mark_dirty(c, n);
	return -ENODATA;
}

static void scrub_visit(struct cache_set *c, struct btree *n, void *arg)
{
	u64 *skip = arg;

	if (test_bit(BTREE_BAD, &n->flags))
		*skip = n->hi;
}

/**
 * bch_btree_scrub() - read every node of the tree now
 * @c: cache set being registered
 *
 * Reading a node checks it and turns its pointers from the future into
 * holes, poisoning their buckets (see the top of this file). Nodes that
 * cannot be read are BAD and skipped.
 *
 * Context: registration, before the cache serves reads; may sleep.
 */
void bch_btree_scrub(struct cache_set *c)
{
	struct btree *n;
	u64 pos = 0, skip;

	pr_warn("%s: damaged gens: checking every btree node\n", c->name);
	while (pos != U64_MAX) {
		skip = 0;
		if (bch_btree_find_visit(c, pos, 0, false, true, &n,
					 scrub_visit, &skip)) {
			if (skip <= pos)
				break;
			pos = skip;
			continue;
		}
		pos = n->hi;
		up_read(&n->lock);
		bch_node_put_scanned(c, n);
		cond_resched();
	}
}
