// SPDX-License-Identifier: GPL-2.0
/*
 * bcache-fsck: the btree and the journal replay.
 *
 * The tree is walked from the root the newest journal entry names. A node
 * is read as the kernel's btree_io.c reads it: bset 0 with any node_seq,
 * then each next bset with the node's node_seq, sector, level and the
 * expected offset and index, until the first one that fails; each bset's
 * keys must lie in the node's range (given by its parent) and are merged
 * into the node's live keys, newer over older, with the kernel's key cap.
 *
 * A node the kernel would drop (its bucket not typed btree or of another
 * gen, no valid first bset, a key out of range, too many keys, an interior
 * node without children) is an error: the kernel treats its range as
 * uncached and rewrites it. Where a node's log ends matters too: a bset of
 * the node's own incarnation that fails is a torn write only if it may
 * have been in flight at a crash (a leaf's keys are then still in the
 * journal); a valid bset of the node after the end means the log was cut
 * short by damage and newer keys are lost.
 *
 * The result is the key space cut into ranges (struct fsck_range), into
 * which the journal's keys are replayed as journal_replay.c does.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fsck.h"

struct fnode {
	u64		bucket;
	u64		sector;
	u64		lo, hi;
	u64		node_seq;
	u32		level;
	u8		gen;
	u32		nbsets;
	u32		index;
	struct fsck_keys live;
	char		desc[112];
};

static const char *const bucket_types[] = { "free", "metadata", "btree",
					    "data" };

static int range_add(struct fsck *f, u64 lo, u64 hi, bool leaf, u64 bucket,
		     struct fsck_keys *keys)
{
	struct fsck_range *r;

	if (lo >= hi) {
		if (keys)
			fkeys_free(keys);
		return 0;
	}
	if (f->nranges == f->rcap) {
		u32 cap = f->rcap ? f->rcap * 2 : 64;

		r = realloc(f->ranges, (size_t)cap * sizeof(*r));
		if (!r) {
			errmsg(f->path, "out of memory");
			f->io_error = true;
			if (keys)
				fkeys_free(keys);
			return -ENOMEM;
		}
		f->ranges = r;
		f->rcap = cap;
	}
	r = &f->ranges[f->nranges++];
	memset(r, 0, sizeof(*r));
	r->lo = lo;
	r->hi = hi;
	r->leaf = leaf;
	r->bucket = bucket;
	if (keys) {
		r->keys = *keys;
		memset(keys, 0, sizeof(*keys));
	}
	r->keys.max = 0;	/* the kernel splits full leaves on replay */
	return 0;
}

/* Keys of one bset into the node, as btree_io.c apply_bset(). */
static int apply_bset(struct fsck *f, struct fnode *n,
		      const struct bch_bset *b, char *why, size_t wlen)
{
	u32 i, nr = le32_to_cpu(b->nr_keys);
	char pos[32];
	int ret;

	for (i = 0; i < nr; i++) {
		const struct bch_key *k = &b->keys[i];
		u64 raw = bch_key_raw(k);

		if (raw < n->lo || raw >= n->hi ||
		    (!n->level && fkey_end(k) > n->hi)) {
			snprintf(why, wlen,
				 "bset %u key %u (%s, %u sectors) is outside the node's range",
				 n->nbsets, i, fsck_pos(raw, pos, sizeof(pos)),
				 bch_ptr_size(k));
			return -EUCLEAN;
		}
		ret = n->level ? fkeys_insert_ptr(&n->live, k) :
				 fkeys_insert_extent(&n->live, k);
		if (ret == -ENOSPC) {
			snprintf(why, wlen,
				 "bset %u: more than %u live keys, more than a node may hold",
				 n->nbsets, f->leaf_max);
			return ret;
		}
		if (ret) {
			errmsg(f->path, "out of memory");
			f->io_error = true;
			return ret;
		}
	}
	return 0;
}

/* A valid bset of @n's incarnation after the end of its log, or NULL. */
static const struct bch_bset *later_bset(struct fsck *f,
					 const struct fnode *n, u32 off,
					 u32 *at)
{
	struct bch_bset_expect e = {
		.node_sector = n->sector, .node_seq = n->node_seq,
		.level = n->level,
	};
	u32 bs = f->g.bucket_sectors, o;
	const struct bch_bset *b;

	for (o = off + f->g.block_sectors; o < bs; o += f->g.block_sectors) {
		b = (const struct bch_bset *)(f->buf +
					      ((size_t)o << BCH_SECTOR_SHIFT));
		if (le64_to_cpu(b->magic) != BCH_BSET_MAGIC ||
		    le64_to_cpu(b->node_seq) != n->node_seq ||
		    le32_to_cpu(b->idx) < n->nbsets)
			continue;
		e.offset = o;
		e.idx = le32_to_cpu(b->idx);
		if (!bch_bset_validate(b, fsck_chunk(bs, o), &f->g, &e, NULL)) {
			*at = o;
			return b;
		}
	}
	return NULL;
}

static bool bset_csum_ok(const struct fsck *f, const struct bch_bset *b,
			 u32 avail)
{
	u64 end = sizeof(*b) + (u64)le32_to_cpu(b->nr_keys) *
			       sizeof(struct bch_key);

	return end <= avail &&
	       le32_to_cpu(b->csum) ==
	       bch_crc32c(f->g.csum_seed, &b->nr_keys, end - sizeof(b->csum));
}

/*
 * The log of @n ended at sector @off with a bset that failed for @why.
 * Decide as the kernel does (drivers/bcache/btree_read.c): the log ends
 * there, or the node is dropped. @jseq0: journal_seq of the node's bset 0.
 * Return: false if the kernel drops the node.
 */
static bool log_end(struct fsck *f, const struct fnode *n, u32 off,
		    u64 jseq0, const char *why)
{
	const struct bch_bset *b = (const struct bch_bset *)
		(f->buf + ((size_t)off << BCH_SECTOR_SHIFT));
	u32 bs = f->g.bucket_sectors, at = 0;
	u64 jseq = le64_to_cpu(b->journal_seq);
	const struct bch_bset *later;
	struct bch_bset hdr;
	bool ours;

	later = later_bset(f, n, off, &at);
	if (later) {
		fsck_error(f, "%s: bset %u at sector %llu: %s; bset %u follows: log cut short%s",
			   n->desc, n->nbsets, n->sector + off, why,
			   le32_to_cpu(later->idx), FSCK_DROPS);
		return false;
	}
	if (bset_csum_ok(f, b, fsck_chunk(bs, off))) {
		if (le64_to_cpu(b->node_seq) != n->node_seq) {
			if (jseq < jseq0)
				return true;	/* an older incarnation */
			fsck_error(f, "%s: bset %u at sector %llu: %s%s",
				   n->desc, n->nbsets, n->sector + off,
				   "of another incarnation, newer than the node",
				   FSCK_DROPS);
			return false;
		}
		fsck_error(f, "%s: bset %u at sector %llu: %s under a good checksum%s",
			   n->desc, n->nbsets, n->sector + off, why,
			   FSCK_DROPS);
		return false;
	}
	/* Unwritten space and older incarnations differ in many bytes. */
	memset(&hdr, 0, sizeof(hdr));
	hdr.magic = cpu_to_le64(BCH_BSET_MAGIC);
	hdr.node_seq = cpu_to_le64(n->node_seq);
	hdr.sector = cpu_to_le64(n->sector);
	hdr.offset = cpu_to_le32(off);
	hdr.idx = cpu_to_le32(n->nbsets);
	ours = fsck_bytes_differ(&hdr.magic, &b->magic, 24) +
	       fsck_bytes_differ(&hdr.offset, &b->offset, 8) <= 1;
	if (!ours)
		return true;
	/*
	 * Torn by the crash (harmless, the node goes cold) or damaged after
	 * it was durable: the kernel cannot tell, and drops the node. Only
	 * an unclean shutdown can have torn a write of a bset this recent.
	 */
	if (f->newest && !(f->newest->flags & BCH_JSET_CLEAN) &&
	    jseq >= f->last_seq) {
		fsck_warning(f, "%s: bset %u at sector %llu: %s: torn by the crash or damaged%s",
			     n->desc, n->nbsets, n->sector + off, why,
			     FSCK_DROPS);
		return false;
	}
	fsck_error(f, "%s: bset %u at sector %llu: %s: %s%s",
		   n->desc, n->nbsets, n->sector + off, why,
		   f->newest && f->newest->flags & BCH_JSET_CLEAN ?
		   "written before the clean shutdown, damaged since" :
		   "damaged after it was written", FSCK_DROPS);
	return false;
}

/* Read and merge @n's log; false if the kernel would drop the node. */
static bool node_read(struct fsck *f, struct fnode *n)
{
	struct bch_bset_expect e = {
		.node_sector = n->sector, .level = (int)n->level,
	};
	u32 bs = f->g.bucket_sectors, off = 0, nr;
	const char *why = "";
	char reason[160];
	const struct bch_bset *b;
	u64 jseq0 = 0;
	int ret = 0;

	if (fsck_read(f, f->buf, (size_t)bs << BCH_SECTOR_SHIFT, n->sector,
		      "btree node"))
		return false;
	while (off < bs) {
		b = (const struct bch_bset *)(f->buf +
					      ((size_t)off << BCH_SECTOR_SHIFT));
		e.offset = off;
		e.idx = n->nbsets;
		ret = bch_bset_validate(b, fsck_chunk(bs, off), &f->g, &e, &why);
		if (ret)
			break;
		if (!n->nbsets)
			jseq0 = le64_to_cpu(b->journal_seq);
		e.node_seq = le64_to_cpu(b->node_seq);
		nr = le32_to_cpu(b->nr_keys);
		fsck_layout(f, "btree", &f->lay_btree, n->sector + off,
			    sizeof(*b) + (u64)nr * sizeof(struct bch_key),
			    "level=%u node=%u bucket=%llu bset=%u keys=%u",
			    n->level, n->index, n->bucket, n->nbsets, nr);
		if (apply_bset(f, n, b, reason, sizeof(reason))) {
			if (!f->io_error)
				fsck_error(f, "%s: %s%s", n->desc, reason,
					   FSCK_DROPS);
			return false;
		}
		f->disk_keys += nr;
		n->nbsets++;
		off += bch_bset_bytes(&f->g, nr) >> BCH_SECTOR_SHIFT;
	}
	if (!n->nbsets) {
		fsck_error(f, "%s: no valid first bset at sector %llu: %s%s",
			   n->desc, n->sector, why, FSCK_DROPS);
		return false;
	}
	n->node_seq = e.node_seq;
	if (n->level && !n->live.nr) {
		fsck_error(f, "%s: interior node without children%s",
			   n->desc, FSCK_DROPS);
		return false;
	}
	if (off < bs && !log_end(f, n, off, jseq0, why))
		return false;
	fsck_info(f, "%s: %u bsets, %u sectors, %u live keys", n->desc,
		  n->nbsets, off, n->live.nr);
	return true;
}

/* What the kernel makes of a node pointer before reading the node. */
enum node_ptr { PTR_OK, PTR_BAD, PTR_UNREACHABLE };

static enum node_ptr node_bucket_ok(struct fsck *f, const struct fnode *n)
{
	const struct bch_prio *p = &f->prio[n->bucket];

	if (n->bucket < f->g.data_bucket || n->bucket >= f->g.nbuckets) {
		fsck_error(f, "%s: bucket outside the btree+data area",
			   n->desc);
		return PTR_UNREACHABLE;
	}
	if (f->node_map[n->bucket]) {
		fsck_error(f, "%s: bucket already holds another node of the tree",
			   n->desc);
		return PTR_UNREACHABLE;
	}
	f->node_map[n->bucket] = 1;
	if (!f->prio_known[n->bucket])
		return PTR_OK;
	if (p->type != BCH_BUCKET_BTREE) {
		fsck_error(f, "%s: bucket typed %s in the prio pages, not btree%s",
			   n->desc, bucket_types[p->type], FSCK_DROPS);
		return PTR_BAD;
	}
	if (p->gen != n->gen) {
		fsck_error(f, "%s: pointer gen %u, bucket gen %u%s",
			   n->desc, n->gen, p->gen, FSCK_DROPS);
		return PTR_BAD;
	}
	return PTR_OK;
}

static void walk(struct fsck *f, const struct bch_key *ptr, u32 level,
		 u64 lo, u64 hi)
{
	struct fnode n = {
		.sector = bch_ptr_sector(ptr), .gen = bch_ptr_gen(ptr),
		.lo = lo, .hi = hi, .level = level, .index = f->nodes,
		.live = { .max = f->leaf_max },
	};
	enum node_ptr ptr_state;
	char plo[32], phi[32];
	u64 clo, chi;
	u32 i;

	n.bucket = bch_sector_to_bucket(&f->g, n.sector);
	snprintf(n.desc, sizeof(n.desc), "btree node at bucket %llu (level %u, %s..%s)",
		 n.bucket, level, fsck_pos(lo, plo, sizeof(plo)),
		 fsck_pos(hi, phi, sizeof(phi)));
	f->nodes++;
	ptr_state = node_bucket_ok(f, &n);
	if (ptr_state == PTR_UNREACHABLE) {
		f->bad_nodes++;
		range_add(f, lo, hi, false, 0, NULL);
		return;
	}
	if (ptr_state == PTR_BAD || !node_read(f, &n)) {
		f->bad_nodes++;
		fkeys_free(&n.live);
		/* A bad leaf stays in memory, empty; a bad interior node
		 * hides its whole range.
		 */
		range_add(f, lo, hi, !level, n.bucket, NULL);
		return;
	}
	if (!level) {
		range_add(f, lo, hi, true, n.bucket, &n.live);
		return;
	}
	clo = bch_key_raw(&n.live.k[0]);
	if (clo != lo) {
		fsck_error(f, "%s: first child starts at %s: the range before it is unreachable",
			   n.desc, fsck_pos(clo, plo, sizeof(plo)));
		range_add(f, lo, clo, false, 0, NULL);
	}
	for (i = 0; i < n.live.nr && !f->io_error; i++) {
		clo = bch_key_raw(&n.live.k[i]);
		chi = i + 1 < n.live.nr ? bch_key_raw(&n.live.k[i + 1]) : hi;
		walk(f, &n.live.k[i], level - 1, clo, chi);
	}
	fkeys_free(&n.live);
}

void fsck_btree(struct fsck *f)
{
	const struct fsck_jent *j = f->newest;

	f->node_map = fsck_alloc(f, f->g.nbuckets, 1);
	if (!f->node_map)
		return;
	if (!j || !bch_ptr_is_ptr(&j->root)) {
		/* The kernel starts a new, empty root leaf. */
		if (j)
			fsck_info(f, "btree: no root in the journal: the kernel starts an empty one");
		range_add(f, 0, ~0ULL, true, 0, NULL);
		return;
	}
	fsck_info(f, "btree: root at bucket %llu, level %u",
		  bch_sector_to_bucket(&f->g, bch_ptr_sector(&j->root)),
		  j->root_level);
	walk(f, &j->root, j->root_level, 0, ~0ULL);
	fsck_info(f, "btree: %u nodes, %u of them dropped by the kernel, %llu keys in their bsets",
		  f->nodes, f->bad_nodes, f->disk_keys);
}

/* ---- journal replay ------------------------------------------------------ */

/* The range holding @pos, or NULL. */
static struct fsck_range *range_find(struct fsck *f, u64 pos)
{
	u32 l = 0, r = f->nranges;

	while (l < r) {
		u32 m = l + (r - l) / 2;

		if (f->ranges[m].lo <= pos)
			l = m + 1;
		else
			r = m;
	}
	if (!l || pos >= f->ranges[l - 1].hi)
		return NULL;
	return &f->ranges[l - 1];
}

/* As bch_btree_insert_key(): one piece per leaf; stop where unreachable. */
static void replay_insert(struct fsck *f, const struct bch_key *k)
{
	u64 cur = bch_key_raw(k), end = fkey_end(k), pend, sector;
	struct fsck_range *r;
	struct bch_key piece;

	while (cur < end) {
		r = range_find(f, cur);
		if (!r || !r->leaf) {
			f->replay_dropped++;
			return;
		}
		pend = end < r->hi ? end : r->hi;
		sector = bch_ptr_is_ptr(k) ?
			bch_ptr_sector(k) + (cur - bch_key_raw(k)) : 0;
		piece = bch_key_make((u8)(cur >> BCH_KEY_DEV_SHIFT),
				     cur & BCH_KEY_START_MASK,
				     (u32)(pend - cur), sector, bch_ptr_gen(k),
				     bch_ptr_is_ptr(k), false);
		if (fkeys_insert_extent(&r->keys, &piece)) {
			errmsg(f->path, "out of memory");
			f->io_error = true;
			return;
		}
		cur = pend;
	}
}

/* The allocator persists a bucket's gen before any pointer carries it. */
static void newer_gen(struct fsck *f, const struct fsck_jent *e,
		      const struct bch_key *k, u8 gen)
{
	char pos[32];

	fsck_error(f, "journal entry seq %llu: key %s+%u: gen %u newer than bucket %llu's %u",
		   e->seq, fsck_pos(bch_key_raw(k), pos, sizeof(pos)),
		   bch_ptr_size(k), bch_ptr_gen(k),
		   bch_sector_to_bucket(&f->g, bch_ptr_sector(k)), gen);
}

void fsck_replay(struct fsck *f)
{
	const struct fsck_jent *e;
	const struct bch_key *k;
	const struct bch_prio *p;
	u64 b;
	u32 i, n;

	if (!f->newest)
		return;
	for (i = 0; i < f->njents && !f->io_error; i++) {
		e = &f->jents[i];
		if (e->seq < f->last_seq)
			continue;
		for (n = 0; n < e->nr_keys && !f->io_error; n++) {
			k = &e->keys[n];
			f->replay_keys++;
			if (bch_ptr_is_ptr(k)) {
				b = bch_sector_to_bucket(&f->g,
							 bch_ptr_sector(k));
				p = &f->prio[b];
				if (f->prio_known[b] &&
				    bch_gen_after(bch_ptr_gen(k), p->gen))
					newer_gen(f, e, k, p->gen);
				if (f->prio_known[b] &&
				    (p->type == BCH_BUCKET_BTREE ||
				     p->type == BCH_BUCKET_META ||
				     bch_ptr_stale(p->gen, k))) {
					f->replay_stale++;
					continue;
				}
			}
			replay_insert(f, k);
		}
	}
	fsck_info(f, "journal: replayed entries %llu..%llu: %u keys, %u stale",
		  f->last_seq, f->newest->seq, f->replay_keys,
		  f->replay_stale);
	if (f->replay_dropped)
		fsck_info(f, "journal: %u replayed keys fall (partly) into unreachable ranges",
			  f->replay_dropped);
}
