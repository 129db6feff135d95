// SPDX-License-Identifier: GPL-2.0
/*
 * bcache engine: the I/O path API - lookup, insert, invalidate.
 *
 * Each walks the leaves covering a raw key range, one leaf at a time (a
 * range crossing a node boundary is handled piece by piece). Lookups take
 * leaf read locks and never allocate or do I/O once the nodes are cached.
 * Inserts and invalidations reserve journal room first (never under a node
 * lock), then under the leaf's write lock apply the key to the leaf's live
 * keys and its pending bset and append it to the journal, so that journal
 * order is application order. When a leaf has no room they drop every
 * lock and ask the writer to make room (append its bset, or compact or
 * split it), then retry.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "bcache.h"
#include "btree.h"

#define INVAL_BATCH	32U

/* A leaf pointer that may be served: current gen, and a data bucket. */
static bool ptr_ok(struct cache_set *c, const struct bch_key *k)
{
	const struct bch_bucket *bk = bch_ptr_bucket(c, k);
	u8 type = READ_ONCE(bk->type);

	return !bch_ptr_stale(READ_ONCE(bk->gen), k) &&
	       type != BCH_BUCKET_BTREE && type != BCH_BUCKET_META;
}

static bool range_ok(u64 sector, u64 sectors)
{
	return sectors && sector < BCH_KEY_END_MAX &&
	       sectors <= BCH_KEY_END_MAX - sector;
}

static u64 raw_pos(u8 dev, u64 sector)
{
	return ((u64)dev << BCH_KEY_DEV_SHIFT) | sector;
}

int bch_cache_lookup(struct cache_set *c, u8 dev_id, u64 sector, u32 sectors,
		     struct bch_hit *hits, unsigned int max_hits,
		     bool may_block)
{
	u64 cur = raw_pos(dev_id, sector), end;
	unsigned int nh = 0;
	struct btree *leaf;
	int ret;

	if (!range_ok(sector, sectors) || !max_hits)
		return -EINVAL;
	if (READ_ONCE(c->stopping))
		return 0;
	end = cur + sectors;
	while (cur < end) {
		u32 i;

		ret = bch_btree_find(c, cur, 0, false, may_block, &leaf);
		if (ret == -EAGAIN || ret == -ENOMEM)
			return ret;
		if (ret)
			return 0;
		if (test_bit(BTREE_BAD, &leaf->flags))
			goto miss;
		i = bch_keys_search(&leaf->live, cur);
		while (cur < end && cur < leaf->hi) {
			const struct bch_key *k = &leaf->live.k[i];
			u64 pend;

			if (nh == max_hits)
				goto out;	/* a cached prefix */
			if (i >= leaf->live.nr || bch_key_raw(k) > cur ||
			    !ptr_ok(c, k))
				goto miss;
			pend = min(bch_kend(k), end);
			hits[nh].sector = cur & BCH_KEY_START_MASK;
			hits[nh].sectors = (u32)(pend - cur);
			hits[nh].gen = bch_ptr_gen(k);
			hits[nh].cache_sector = bch_ptr_sector(k) +
				(cur - bch_key_raw(k));
			bch_bucket_hit(c, bch_bucket_nr(c, bch_ptr_sector(k)));
			nh++;
			cur = pend;
			i++;
		}
		up_read(&leaf->lock);
		bch_node_put(c, leaf);
	}
	return nh;
out:
	up_read(&leaf->lock);
	bch_node_put(c, leaf);
	return nh;
miss:
	up_read(&leaf->lock);
	bch_node_put(c, leaf);
	return 0;
}

bool bch_cache_ptr_valid(struct cache_set *c, const struct bch_hit *h)
{
	u64 b = bch_bucket_nr(c, h->cache_sector);

	return b < c->g.nbuckets && READ_ONCE(c->buckets[b].gen) == h->gen;
}

/* Drop every lock, then let the writer make room in the leaf at @pos. */
static int make_room(struct cache_set *c, u64 pos)
{
	struct btree *n;
	int ret;

	mutex_lock(&c->btree_write_lock);
	ret = bch_btree_find(c, pos, 0, false, true, &n);
	if (!ret) {
		up_read(&n->lock);
		ret = bch_node_write(c, n);
		bch_node_put(c, n);
	}
	mutex_unlock(&c->btree_write_lock);
	return ret;
}

/* Apply @k (inside @n's range) to the live keys and the pending bset. */
static u64 leaf_apply(struct cache_set *c, struct btree *n,
		      const struct bch_key *k, bool replay)
{
	u64 seq = 0;

	lockdep_assert_held_write(&n->lock);
	/* Room was checked: neither insert can fail. */
	WARN_ON_ONCE(bch_keys_insert_extent(&n->live, k, false));
	WARN_ON_ONCE(bch_keys_insert_extent(&n->pending, k, true));
	if (!replay) {
		seq = bch_journal_add(c, k, &n->pin_seq);
		if (!bch_ptr_is_ptr(k))
			n->hole_seq = seq;
	}
	if (bch_ptr_is_ptr(k)) {
		struct bch_bucket *bk = bch_ptr_bucket(c, k);

		WRITE_ONCE(bk->sectors_used,
			   min(bk->sectors_used + bch_ptr_size(k),
			       c->g.bucket_sectors));
	}
	bch_node_mark_dirty(c, n);
	return seq;
}

static struct bch_key key_piece(const struct bch_key *k, u64 start, u64 end)
{
	u64 sector = bch_ptr_is_ptr(k) ?
		bch_ptr_sector(k) + (start - bch_key_raw(k)) : 0;

	return bch_key_raw_make(start, (u32)(end - start), sector,
				bch_ptr_gen(k), bch_ptr_is_ptr(k));
}

/**
 * bch_btree_insert_key() - insert a leaf key, split at leaf boundaries
 * @c: cache set
 * @k: the extent or hole
 * @replay: journal replay: do not journal the key again
 * @check: called under each leaf's lock right before its piece goes in;
 *	   the piece is skipped if it returns false (may be NULL)
 * @arg: argument of @check
 *
 * Context: process context, may sleep; no btree locks held.
 * Return: 1 if anything was inserted, 0 if nothing, or a negative errno.
 */
int bch_btree_insert_key(struct cache_set *c, const struct bch_key *k,
			 bool replay, bool (*check)(void *arg), void *arg)
{
	u64 cur = bch_key_raw(k), end = bch_kend(k);
	struct btree *leaf;
	struct bch_key piece;
	int inserted = 0, ret = 0;

	while (cur < end) {
		if (!replay) {
			ret = bch_journal_reserve(c, 1, true);
			if (ret)
				break;
		}
		ret = bch_btree_find(c, cur, 0, true, true, &leaf);
		if (ret) {
			if (!replay)
				bch_journal_unreserve(c, 1);
			if (ret == -ENODATA || ret == -ENOENT)
				ret = 0;
			break;
		}
		ret = bch_node_pending_reserve(c, leaf, 2, 2, true);
		if (ret) {
			up_write(&leaf->lock);
			bch_node_put(c, leaf);
			if (!replay)
				bch_journal_unreserve(c, 1);
			if (ret == -ENOSPC)
				ret = make_room(c, cur);
			if (ret)
				break;
			continue;
		}
		piece = key_piece(k, cur, min(end, leaf->hi));
		cur = min(end, leaf->hi);
		if (check && !check(arg)) {
			if (!replay)
				bch_journal_unreserve(c, 1);
		} else {
			leaf_apply(c, leaf, &piece, replay);
			inserted = 1;
		}
		up_write(&leaf->lock);
		bch_node_put(c, leaf);
	}
	return ret < 0 && !inserted ? ret : inserted;
}

int bch_cache_insert(struct cache_set *c, u8 dev_id, u64 sector,
		     const struct bch_space *sp,
		     bool (*check)(void *arg), void *arg)
{
	struct bch_key k;
	const char *why;

	if (!range_ok(sector, sp->sectors) || sp->sectors > BCH_PTR_SIZE_MAX)
		return -EINVAL;
	if (READ_ONCE(c->stopping))
		return -ENODEV;
	k = bch_key_extent(dev_id, sector, sp->sectors, sp->cache_sector,
			   sp->gen, false);
	if (bch_key_validate(&k, &c->g, 0, &why)) {
		pr_err_ratelimited("%s: insert of a bad extent refused: %s\n",
				   c->name, why);
		return -EINVAL;
	}
	if (!ptr_ok(c, &k))
		return 0;
	return bch_btree_insert_key(c, &k, false, check, arg);
}

/* Holes for what [cur, end) of @n overlaps; merged when contiguous. */
static u32 collect_holes(struct btree *n, u64 cur, u64 end,
			 struct bch_key *holes, u32 max)
{
	u32 i = bch_keys_search(&n->live, cur), nr = 0;
	u64 hs = 0, he = 0;

	for (; i < n->live.nr && bch_key_raw(&n->live.k[i]) < end; i++) {
		u64 s = max(bch_key_raw(&n->live.k[i]), cur);
		u64 e = min(bch_kend(&n->live.k[i]), end);

		if (nr && s == he && e - hs <= BCH_PTR_SIZE_MAX) {
			he = e;
			holes[nr - 1] = bch_key_raw_make(hs, (u32)(he - hs),
							 0, 0, false);
			continue;
		}
		if (nr == max)
			break;
		hs = s;
		he = e;
		holes[nr++] = bch_key_raw_make(hs, (u32)(he - hs), 0, 0,
					       false);
	}
	return nr;
}

/* A bad node covers @pos: replace it with an empty one first. */
static int repair_at(struct cache_set *c, u64 pos)
{
	struct btree *n;
	u8 level;
	int ret = 0;

	mutex_lock(&c->btree_write_lock);
	for (level = 0; level < BCH_BTREE_MAX_LEVEL && !ret; level++) {
		ret = bch_btree_find(c, pos, level, false, true, &n);
		if (ret == -ENOENT) {
			ret = 0;
			break;
		}
		if (ret == -ENODATA) {
			ret = 0;
			continue;
		}
		if (ret)
			break;
		up_read(&n->lock);
		if (test_bit(BTREE_BAD, &n->flags))
			ret = bch_node_replace(c, n, true);
		bch_node_put(c, n);
		break;
	}
	mutex_unlock(&c->btree_write_lock);
	return ret;
}

int bch_cache_invalidate(struct cache_set *c, u8 dev_id, u64 sector,
			 u64 sectors, u64 *jseq, bool may_block)
{
	struct bch_key holes[INVAL_BATCH];
	u64 cur = raw_pos(dev_id, sector), end, seq = 0;
	struct btree *leaf;
	int removed = 0, ret = 0;
	u32 nr, i;

	if (!sectors)
		return 0;
	if (sector >= BCH_KEY_END_MAX)
		return -EINVAL;
	sectors = min(sectors, BCH_KEY_END_MAX - sector);
	end = cur + sectors;
	*jseq = 0;
	if (READ_ONCE(c->stopping))
		return 0;
	while (cur < end) {
		ret = bch_journal_reserve(c, INVAL_BATCH, may_block);
		if (ret)
			break;
		ret = bch_btree_find(c, cur, 0, true, may_block, &leaf);
		if (ret == -ENODATA ||
		    (!ret && test_bit(BTREE_BAD, &leaf->flags))) {
			if (!ret) {
				up_write(&leaf->lock);
				bch_node_put(c, leaf);
			}
			bch_journal_unreserve(c, INVAL_BATCH);
			ret = may_block ? repair_at(c, cur) : -EAGAIN;
			if (ret)
				break;
			continue;
		}
		if (ret) {
			bch_journal_unreserve(c, INVAL_BATCH);
			if (ret == -ENOENT)
				ret = 0;
			break;
		}
		nr = collect_holes(leaf, cur, min(end, leaf->hi), holes,
				   INVAL_BATCH);
		ret = nr ? bch_node_pending_reserve(c, leaf, 1, 2 * nr,
						    may_block) : 0;
		if (ret) {
			up_write(&leaf->lock);
			bch_node_put(c, leaf);
			bch_journal_unreserve(c, INVAL_BATCH);
			if (ret == -ENOSPC)
				ret = may_block ? make_room(c, cur) : -EAGAIN;
			if (ret)
				break;
			continue;
		}
		for (i = 0; i < nr; i++)
			leaf_apply(c, leaf, &holes[i], false);
		/* Ours, or a concurrent write's that removed the keys first. */
		seq = max(seq, leaf->hole_seq);
		bch_journal_unreserve(c, INVAL_BATCH - nr);
		if (nr == INVAL_BATCH)
			cur = bch_kend(&holes[nr - 1]);
		else
			cur = min(end, leaf->hi);
		removed |= nr > 0;
		up_write(&leaf->lock);
		bch_node_put(c, leaf);
	}
	if (ret)
		return ret;	/* something may still be cached */
	*jseq = seq;
	return removed;
}
