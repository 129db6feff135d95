// SPDX-License-Identifier: GPL-2.0
/*
 * bcache engine: reading the journal at registration.
 *
 * Every journal bucket is read from its start; a bucket ends at its first
 * invalid entry (or at an entry whose seq does not increase: a leftover of
 * an earlier trip round the ring). The newest valid entry gives the root,
 * the uuid table seq and last_seq; the keys of entries last_seq .. newest
 * are re-inserted in seq order, pointers whose bucket gen moved on as
 * holes. A missing entry in that range means lost keys (lost invalidations:
 * stale data), so the cache is refused rather than guessed at.
 *
 * The cost is one read of the journal area plus the nodes the replayed
 * keys touch: proportional to the journal, never to the cache size.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>

#include "bcache.h"
#include "btree.h"

#define SCAN_CHUNK	BIT(20)

struct jentry {
	u64		seq;
	u64		last_seq;
	u64		sector;
	u64		uuid_seq;
	struct bch_key	root;
	u32		root_level;
	u32		bytes;
	u32		idx;
};

struct jscan {
	struct jentry	*e;
	u32		nr, cap;
	void		*buf;
	u32		buf_bytes;
};

static int jscan_add(struct jscan *s, const struct bch_jset *j, u64 sector,
		     u32 bytes, u32 idx)
{
	struct jentry *e;

	if (s->nr == s->cap) {
		u32 cap = max(64U, s->cap * 2);
		struct jentry *n = kvmalloc_array(cap, sizeof(*n), GFP_KERNEL);

		if (!n)
			return -ENOMEM;
		if (s->e)
			memcpy(n, s->e, s->nr * sizeof(*n));
		kvfree(s->e);
		s->e = n;
		s->cap = cap;
	}
	e = &s->e[s->nr++];
	e->seq = le64_to_cpu(j->seq);
	e->last_seq = le64_to_cpu(j->last_seq);
	e->sector = sector;
	e->uuid_seq = le64_to_cpu(j->uuid_seq);
	e->root = j->root;
	e->root_level = le32_to_cpu(j->root_level);
	e->bytes = bytes;
	e->idx = idx;
	return 0;
}

static int scan_bucket(struct cache_set *c, struct jscan *s, u32 idx)
{
	u64 start = bch_journal_bucket_sector(&c->g, idx);
	u32 bs = c->g.bucket_sectors, off = 0, cstart = 0, loaded = 0;
	u64 prev = 0;
	int ret;

	while (off < bs) {
		const struct bch_jset *j;
		u32 in = (off - cstart) << SECTOR_SHIFT, bytes;

		if (!loaded || in + sizeof(*j) > loaded) {
			cstart = off;
			in = 0;
			loaded = min_t(u32, s->buf_bytes,
				       (bs - off) << SECTOR_SHIFT);
			ret = bch_meta_rw(c, start + off, s->buf, loaded,
					  REQ_OP_READ);
			if (ret)
				return ret;
		}
		j = s->buf + in;
		bytes = bch_jset_bytes(&c->g, le32_to_cpu(j->nr_keys));
		if (le64_to_cpu(j->magic) == BCH_JSET_MAGIC &&
		    bytes <= ((bs - off) << SECTOR_SHIFT) &&
		    bytes <= s->buf_bytes && in + bytes > loaded) {
			loaded = 0;	/* reload from @off */
			continue;
		}
		if (bch_jset_validate(j, loaded - in, &c->g, start + off,
				      NULL))
			break;
		if (le64_to_cpu(j->seq) <= prev)
			break;
		prev = le64_to_cpu(j->seq);
		ret = jscan_add(s, j, start + off, bytes, idx);
		if (ret)
			return ret;
		c->journal.bucket_seq[idx] = prev;
		off += bytes >> SECTOR_SHIFT;
	}
	return 0;
}

static int jentry_cmp(const void *a, const void *b)
{
	const struct jentry *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * A pointer whose bucket moved on (or that points at metadata: damage) is
 * replayed as a hole, not skipped: the key replaced older ones for its
 * range, which would otherwise come back with older data.
 */
static void replay_key(struct cache_set *c, const struct bch_key *k,
		       u32 *skipped)
{
	struct bch_key hole;

	if (bch_ptr_is_ptr(k)) {
		struct bch_bucket *bk = bch_ptr_bucket(c, k);

		bool future = bch_ptr_from_future(c, k);

		if (future)
			bch_bucket_poison(c, k);	/* damage: see there */
		if (future || bk->type == BCH_BUCKET_BTREE ||
		    bk->type == BCH_BUCKET_META ||
		    bch_ptr_stale(bk->gen, k)) {
			hole = bch_key_as_hole(k);
			k = &hole;
			(*skipped)++;
		}
	}
	if (bch_btree_insert_key(c, k, true, NULL, NULL) < 0)
		(*skipped)++;
}

static int replay_entries(struct cache_set *c, struct jscan *s, u32 first)
{
	const struct jentry *newest = &s->e[s->nr - 1];
	u64 want = newest->last_seq;
	u32 i, n, skipped = 0, keys = 0;
	const char *why = "";
	int ret;

	for (i = first; i < s->nr; i++) {
		const struct jentry *e = &s->e[i];
		struct bch_jset *j = s->buf;

		if (e->seq != want) {
			pr_err("%s: journal is missing entry %llu (needed %llu..%llu)\n",
			       c->name, want, newest->last_seq, newest->seq);
			return -EINVAL;
		}
		want++;
		ret = bch_meta_rw(c, e->sector, j, e->bytes, REQ_OP_READ);
		if (!ret)
			ret = bch_jset_validate(j, e->bytes, &c->g, e->sector,
						&why);
		if (ret) {
			pr_err("%s: journal entry %llu unreadable on replay: %s\n",
			       c->name, e->seq, ret == -EIO ? "I/O error" : why);
			return -EINVAL;
		}
		n = le32_to_cpu(j->nr_keys);
		for (keys += n; n; n--)
			replay_key(c, &j->keys[le32_to_cpu(j->nr_keys) - n],
				   &skipped);
		cond_resched();
	}
	pr_info("%s: replayed journal entries %llu..%llu: %u keys, %u stale\n",
		c->name, newest->last_seq, newest->seq, keys, skipped);
	return 0;
}

static void set_ring(struct cache_set *c, const struct jentry *newest)
{
	struct bch_journal *j = &c->journal;
	u64 seq = newest ? newest->seq : 0;

	if (newest) {
		j->idx = newest->idx;
		j->off = (newest->sector -
			  bch_journal_bucket_sector(&c->g, newest->idx) +
			  (newest->bytes >> SECTOR_SHIFT));
		j->last_seq = newest->last_seq;
		/*
		 * Replayed keys live only in memory until the btree flush
		 * after replay: every entry written before then must keep
		 * them (bch_journal_replay_done()).
		 */
		j->replay_last = newest->last_seq;
	}
	j->durable_seq = seq;
	j->pin_front = seq + 1;
	j->buf[j->cur].seq = seq + 1;
	j->buf[j->cur ^ 1].seq = seq;
}

/**
 * bch_journal_replay() - read the journal, open the root, replay keys
 * @c: cache set with its uuid table and buckets loaded
 * @fresh: set if there was no btree yet (a new root was created)
 *
 * Context: registration.
 * Return: 0, or a negative errno after a pr_err() naming the cause.
 */
int bch_journal_replay(struct cache_set *c, bool *fresh)
{
	struct jscan s = {};
	const struct jentry *newest;
	u32 i, first;
	int ret;

	*fresh = false;
	s.buf_bytes = min_t(u32, SCAN_CHUNK,
			    c->g.bucket_sectors << SECTOR_SHIFT);
	s.buf = kvmalloc(s.buf_bytes, GFP_KERNEL);
	if (!s.buf)
		return -ENOMEM;
	for (i = 0; i < c->g.journal_buckets; i++) {
		ret = scan_bucket(c, &s, i);
		if (ret) {
			pr_err("%s: cannot read journal bucket %u: %d\n",
			       c->name, i, ret);
			goto out;
		}
	}
	if (!s.nr) {
		set_ring(c, NULL);
		*fresh = true;
		ret = bch_btree_new_root(c);
		goto out;
	}
	sort(s.e, s.nr, sizeof(*s.e), jentry_cmp, NULL);
	newest = &s.e[s.nr - 1];
	if (c->uuid_seq < newest->uuid_seq) {
		pr_err("%s: uuid table (seq %llu) is older than the journal says (%llu)\n",
		       c->name, c->uuid_seq, newest->uuid_seq);
		ret = -EINVAL;
		goto out;
	}
	set_ring(c, newest);
	c->journal.root = newest->root;
	c->journal.root_level = newest->root_level;
	if (!bch_ptr_is_ptr(&newest->root)) {
		*fresh = true;
	} else {
		ret = bch_btree_open_root(c, &newest->root,
					  newest->root_level);
		if (ret)
			goto out;
	}
	if (*fresh) {
		ret = bch_btree_new_root(c);
		if (ret)
			goto out;
	}
	for (first = 0; first < s.nr; first++)
		if (s.e[first].seq >= newest->last_seq)
			break;
	ret = replay_entries(c, &s, first);
out:
	kvfree(s.e);
	kvfree(s.buf);
	return ret;
}
