// SPDX-License-Identifier: GPL-2.0
/*
 * bcache engine: writing and replacing btree nodes (reading them is in
 * btree_read.c).
 *
 * Writing, always under c->btree_write_lock:
 *  - append: a leaf's pending keys become the next bset of its bucket
 *    (REQ_PREFLUSH|REQ_FUA, so the data the keys point at is durable too);
 *    the leaf's journal pin is released once it is on disk;
 *  - replace (copy-on-write): the live keys go to one new node, or two if
 *    more than half the cap, in fresh buckets, written and durable first;
 *    then the parent is updated (a bset appended, or the parent itself
 *    replaced, recursively) or, for the root, the journal records the new
 *    root. Only then are the old node's pin and bucket released (a root's
 *    bucket once the journal entry naming its successor is durable).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/random.h>
#include <linux/slab.h>

#include "bcache.h"
#include "btree.h"

static struct bch_key node_ptr(struct cache_set *c, const struct btree *n)
{
	return bch_key_raw_make(n->lo, c->g.bucket_sectors,
				bch_bucket_to_sector(&c->g, n->bucket),
				n->gen, true);
}

/* Write one bset of @nr keys at @off of @n's bucket. */
static int write_bset(struct cache_set *c, struct btree *n,
		      const struct bch_key *keys, u32 nr, u32 off, u32 idx)
{
	struct bch_bset *b = c->wbuf;
	u32 bytes = bch_bset_bytes(&c->g, nr);
	u64 sector = bch_bucket_to_sector(&c->g, n->bucket);
	int ret;

	lockdep_assert_held(&c->btree_write_lock);
	if (WARN_ON_ONCE(bytes > c->wbuf_bytes))
		return -EINVAL;
	memset(b, 0, sizeof(*b));
	if (keys != b->keys)
		memcpy(b->keys, keys, nr * sizeof(*keys));
	memset(&b->keys[nr], 0, bytes - sizeof(*b) - nr * sizeof(*keys));
	b->nr_keys = cpu_to_le32(nr);
	b->node_seq = cpu_to_le64(n->node_seq);
	b->sector = cpu_to_le64(sector);
	b->journal_seq = cpu_to_le64(bch_journal_open_seq(c));
	b->offset = cpu_to_le32(off);
	b->idx = cpu_to_le32(idx);
	b->level = cpu_to_le32(n->level);
	ret = bch_bset_seal(b, bytes, &c->g);
	/* The data of a leaf's keys first (backing.c). */
	if (!ret && !n->level && nr)
		bch_backing_flush(c);
	if (!ret)
		ret = bch_meta_rw(c, sector + off, b, bytes,
				  REQ_OP_WRITE | REQ_PREFLUSH | REQ_FUA);
	if (ret)
		bch_meta_error(c, "btree node", sector + off, ret);
	return ret;
}

static bool append_fits(struct cache_set *c, const struct btree *n, u32 nr)
{
	return !test_bit(BTREE_REWRITE, &n->flags) &&
	       !test_bit(BTREE_BAD, &n->flags) &&
	       bch_bset_bytes(&c->g, nr) <=
	       ((u64)(c->g.bucket_sectors - n->woff) << SECTOR_SHIFT);
}

static void node_clean(struct cache_set *c, struct btree *n)
{
	spin_lock(&c->node_lock);
	if (test_and_clear_bit(BTREE_DIRTY, &n->flags))
		list_del_init(&n->dirty);
	spin_unlock(&c->node_lock);
}

/**
 * bch_node_write() - write a node's pending keys
 * @c: cache set
 * @n: the node, referenced, not locked
 *
 * Appends a bset, or replaces the node when it cannot be appended to (log
 * full, bad, or near the key cap).
 *
 * Context: c->btree_write_lock held.
 * Return: 0 or a negative errno (the node stays dirty).
 */
int bch_node_write(struct cache_set *c, struct btree *n)
{
	u32 nr, off, idx;
	u64 pin;
	int ret;

	lockdep_assert_held(&c->btree_write_lock);
	down_write_nested(&n->lock, n->level);
	if (test_bit(BTREE_DEAD, &n->flags)) {
		up_write(&n->lock);
		return 0;
	}
	if (test_bit(BTREE_BAD, &n->flags) ||
	    test_bit(BTREE_SCRUB, &n->flags) ||
	    (!n->level && n->live.nr + 4 > n->live.cap) ||
	    (!n->level && n->pending.nr && !append_fits(c, n, n->pending.nr))) {
		up_write(&n->lock);
		return bch_node_replace(c, n, true);
	}
	if (n->level || !n->pending.nr) {
		pin = n->pin_seq;
		n->pin_seq = 0;
		if (!n->level)
			bch_node_pending_release(n);
		node_clean(c, n);
		up_write(&n->lock);
		bch_journal_unpin(c, pin);
		return 0;
	}
	nr = n->pending.nr;
	off = n->woff;
	idx = n->nbsets;
	memcpy(((struct bch_bset *)c->wbuf)->keys, n->pending.k,
	       nr * sizeof(struct bch_key));
	pin = n->pin_seq;
	n->pin_seq = 0;
	n->pending.nr = 0;
	bch_node_pending_release(n);
	n->woff += bch_bset_bytes(&c->g, nr) >> SECTOR_SHIFT;
	n->nbsets++;
	node_clean(c, n);
	up_write(&n->lock);

	ret = write_bset(c, n, ((struct bch_bset *)c->wbuf)->keys, nr, off,
			 idx);
	if (ret) {
		/* The log now ends at the torn bset: rewrite the node. */
		down_write_nested(&n->lock, n->level);
		set_bit(BTREE_REWRITE, &n->flags);
		if (n->pin_seq)
			bch_journal_unpin(c, n->pin_seq);
		n->pin_seq = pin;
		bch_node_mark_dirty(c, n);
		up_write(&n->lock);
		return ret;
	}
	bch_journal_unpin(c, pin);
	return 0;
}

/* A new node in a fresh bucket holding @keys, written and hashed. */
static int new_node(struct cache_set *c, u8 level, u64 lo, u64 hi,
		    const struct bch_key *keys, u32 nr, bool may_block,
		    struct btree **out)
{
	struct btree *n;
	u64 bucket;
	u8 gen;
	int ret;

	ret = bch_btree_bucket_alloc(c, may_block, &bucket, &gen);
	if (ret)
		return ret;
	n = bch_node_alloc(c, level);
	if (!n) {
		bch_btree_bucket_free(c, bucket);
		return -ENOMEM;
	}
	n->bucket = bucket;
	n->gen = gen;
	n->lo = lo;
	n->hi = hi;
	do {
		n->node_seq = get_random_u64();
	} while (!n->node_seq);
	memcpy(n->live.k, keys, nr * sizeof(*keys));
	n->live.nr = nr;
	/* wbuf may hold @keys: write_bset() copies them first. */
	ret = write_bset(c, n, keys, nr, 0, 0);
	if (ret) {
		bch_node_free(n);
		bch_btree_bucket_free(c, bucket);
		return ret;
	}
	n->woff = bch_bset_bytes(&c->g, nr) >> SECTOR_SHIFT;
	n->nbsets = 1;
	set_bit(BTREE_LOADED, &n->flags);
	bch_node_hash_add(c, n);
	*out = n;
	return 0;
}

/* An empty subtree of @level over [lo, hi): a chain down to one leaf. */
static int new_empty(struct cache_set *c, u8 level, u64 lo, u64 hi,
		     bool may_block, struct btree **out)
{
	struct btree *child;
	struct bch_key k;
	int ret;

	if (!level)
		return new_node(c, 0, lo, hi, NULL, 0, may_block, out);
	ret = new_empty(c, level - 1, lo, hi, may_block, &child);
	if (ret)
		return ret;
	k = node_ptr(c, child);
	bch_node_put(c, child);
	return new_node(c, level, lo, hi, &k, 1, may_block, out);
}

struct root_free {
	struct bch_jwait	w;
	struct cache_set	*c;
	u64			bucket;
};

static void root_free_fn(struct bch_jwait *w)
{
	struct root_free *f = container_of(w, struct root_free, w);

	if (!w->err)
		bch_btree_bucket_free(f->c, f->bucket);
	kfree(f);
}

/*
 * Free a replaced node's bucket once nothing durable points at it: after
 * the next journal entry, which carries the root if it changed. Even a
 * non-root node waits: its parent may itself have been replaced up to a
 * new root that only the journal makes durable.
 */
static void free_old_bucket(struct cache_set *c, u64 bucket)
{
	struct root_free *f;

	spin_lock(&c->alloc.lock);
	c->buckets[bucket].flags |= BCH_BF_FREEING;
	spin_unlock(&c->alloc.lock);
	f = kmalloc(sizeof(*f), GFP_NOIO);
	if (!f)
		return;		/* GC frees it later */
	f->c = c;
	f->bucket = bucket;
	INIT_LIST_HEAD(&f->w.list);
	f->w.fn = root_free_fn;
	bch_cache_journal_wait_async(c, bch_journal_open_seq(c), &f->w);
}

static void set_root(struct cache_set *c, struct btree *n)
{
	struct bch_key k = node_ptr(c, n);
	struct btree *old = rcu_dereference_protected(c->root, true);

	atomic_inc(&n->ref);
	rcu_assign_pointer(c->root, n);
	WRITE_ONCE(c->btree_depth, n->level + 1);
	bch_journal_set_root(c, &k, n->level);
	if (old)
		bch_node_put(c, old);
}

/* Point the parent of @n at @nw[0..nnew). Parent durable on return 0. */
static int update_parent(struct cache_set *c, struct btree *n,
			 struct btree **nw, u32 nnew, bool may_block)
{
	struct bch_key keys[2];
	struct btree *p;
	u32 i, ci;
	int ret;

	ret = bch_btree_find(c, n->lo, n->level + 1, true, true, &p);
	if (ret)
		return ret;
	ci = bch_keys_child(&p->live, n->lo);
	if (ci >= p->live.nr || bch_key_raw(&p->live.k[ci]) != n->lo ||
	    bch_bucket_nr(c, bch_ptr_sector(&p->live.k[ci])) != n->bucket) {
		up_write(&p->lock);
		bch_node_put(c, p);
		pr_err("%s: btree parent does not point at node %llu\n",
		       c->name, n->bucket);
		return -EUCLEAN;
	}
	if (p->live.nr + nnew - 1 > p->live.cap) {
		up_write(&p->lock);
		bch_node_put(c, p);
		return -EAGAIN;		/* caller splits the parent first */
	}
	for (i = 0; i < nnew; i++) {
		keys[i] = node_ptr(c, nw[i]);
		WARN_ON_ONCE(bch_keys_insert_ptr(&p->live, &keys[i]));
	}
	if (append_fits(c, p, nnew)) {
		ret = write_bset(c, p, keys, nnew, p->woff, p->nbsets);
		if (!ret) {
			p->woff += bch_bset_bytes(&c->g, nnew) >> SECTOR_SHIFT;
			p->nbsets++;
			up_write(&p->lock);
			bch_node_put(c, p);
			return 0;
		}
	}
	/* Cannot append: the parent is replaced with its new keys. */
	set_bit(BTREE_REWRITE, &p->flags);
	bch_node_mark_dirty(c, p);
	up_write(&p->lock);
	ret = bch_node_replace(c, p, may_block);
	bch_node_put(c, p);
	return ret;
}

/* The parent of @n is full: split it first. */
static int split_parent(struct cache_set *c, struct btree *n, bool may_block)
{
	struct btree *p;
	int ret;

	ret = bch_btree_find(c, n->lo, n->level + 1, false, true, &p);
	if (ret)
		return ret;
	up_read(&p->lock);
	ret = bch_node_replace(c, p, may_block);
	bch_node_put(c, p);
	return ret;
}

/**
 * bch_node_replace() - rewrite a node copy-on-write, splitting if large
 * @c: cache set
 * @n: the node, referenced, not locked
 * @may_block: wait for btree buckets
 *
 * Context: c->btree_write_lock held.
 * Return: 0 or a negative errno (the old node stays in place).
 */
int bch_node_replace(struct cache_set *c, struct btree *n, bool may_block)
{
	struct btree *nw[2] = { NULL, NULL };
	bool was_root, bad;
	u32 nnew = 1, mid, i;
	u64 pin, lo2;
	int ret, tries = 0;

	lockdep_assert_held(&c->btree_write_lock);
again:
	down_write_nested(&n->lock, n->level);
	if (test_bit(BTREE_DEAD, &n->flags)) {
		up_write(&n->lock);
		return 0;
	}
	bad = test_bit(BTREE_BAD, &n->flags) || (n->level && !n->live.nr);
	was_root = rcu_access_pointer(c->root) == n;
	if (!bad && n->live.nr > c->leaf_max / 2)
		nnew = 2;
	if (bad && n->level) {
		ret = new_empty(c, n->level, n->lo, n->hi, may_block, &nw[0]);
	} else if (nnew == 1) {
		ret = new_node(c, n->level, n->lo, n->hi, n->live.k,
			       n->live.nr, may_block, &nw[0]);
	} else {
		mid = n->live.nr / 2;
		lo2 = bch_key_raw(&n->live.k[mid]);
		ret = new_node(c, n->level, n->lo, lo2, n->live.k, mid,
			       may_block, &nw[0]);
		if (!ret)
			ret = new_node(c, n->level, lo2, n->hi,
				       n->live.k + mid, n->live.nr - mid,
				       may_block, &nw[1]);
	}
	if (ret)
		goto undo;
	/* Writes to the range still wait for the old node's holes (rule 3). */
	for (i = 0; i < nnew; i++)
		nw[i]->hole_seq = n->hole_seq;

	if (was_root && nnew == 2) {
		struct bch_key keys[2] = { node_ptr(c, nw[0]),
					   node_ptr(c, nw[1]) };
		struct btree *root;

		if (n->level + 1 >= BCH_BTREE_MAX_LEVEL) {
			ret = -ENOSPC;
			goto undo;
		}
		ret = new_node(c, n->level + 1, 0, U64_MAX, keys, 2,
			       may_block, &root);
		if (ret)
			goto undo;
		set_root(c, root);
		bch_node_put(c, root);
	} else if (was_root) {
		set_root(c, nw[0]);
	} else {
		ret = update_parent(c, n, nw, nnew, may_block);
		if (ret == -EAGAIN && !tries++) {
			for (i = 0; i < nnew; i++)
				bch_node_kill(c, nw[i]);
			up_write(&n->lock);
			for (i = 0; i < nnew; i++) {
				bch_btree_bucket_free(c, nw[i]->bucket);
				bch_node_put(c, nw[i]);
				nw[i] = NULL;
			}
			ret = split_parent(c, n, may_block);
			if (ret)
				return ret;
			nnew = 1;
			goto again;
		}
		if (ret) {
			/* The parent may point at the new nodes in memory. */
			spin_lock(&c->alloc.lock);
			c->buckets[n->bucket].flags |= BCH_BF_FREEING;
			spin_unlock(&c->alloc.lock);
			goto dead;
		}
	}
	free_old_bucket(c, n->bucket);
dead:
	pin = n->pin_seq;
	n->pin_seq = 0;
	bch_node_kill(c, n);
	up_write(&n->lock);
	bch_journal_unpin(c, pin);
	for (i = 0; i < nnew; i++)
		bch_node_put(c, nw[i]);
	return ret;
undo:
	for (i = 0; i < nnew; i++) {
		if (!nw[i])
			continue;
		bch_node_kill(c, nw[i]);
		bch_btree_bucket_free(c, nw[i]->bucket);
		bch_node_put(c, nw[i]);
	}
	up_write(&n->lock);
	return ret;
}

/**
 * bch_btree_new_root() - create an empty root leaf (a new cache)
 * @c: cache set with a running allocator
 *
 * Context: registration.
 * Return: 0 or a negative errno.
 */
int bch_btree_new_root(struct cache_set *c)
{
	struct btree *n;
	int ret;

	mutex_lock(&c->btree_write_lock);
	ret = new_node(c, 0, 0, U64_MAX, NULL, 0, true, &n);
	if (!ret) {
		set_root(c, n);
		bch_node_put(c, n);
	}
	mutex_unlock(&c->btree_write_lock);
	if (ret)
		pr_err("%s: cannot create the btree root: %d\n", c->name, ret);
	return ret;
}

/**
 * bch_btree_open_root() - read the root the journal names
 * @c: cache set with buckets loaded
 * @k: the root's node pointer, validated
 * @level: its level
 *
 * A root that cannot be read is BAD and gets replaced by an empty tree
 * when the nodes are first written.
 *
 * Context: registration.
 * Return: 0 or -ENOMEM.
 */
int bch_btree_open_root(struct cache_set *c, const struct bch_key *k,
			u32 level)
{
	struct btree *n = bch_node_alloc(c, level);

	if (!n)
		return -ENOMEM;
	n->bucket = bch_bucket_nr(c, bch_ptr_sector(k));
	n->gen = bch_ptr_gen(k);
	n->lo = 0;
	n->hi = U64_MAX;
	down_write_nested(&n->lock, n->level);
	if (bch_node_read(c, n))
		pr_warn("%s: btree root unreadable, starting with an empty cache\n",
			c->name);
	set_bit(BTREE_LOADED, &n->flags);
	up_write(&n->lock);
	bch_node_hash_add(c, n);
	mutex_lock(&c->btree_write_lock);
	atomic_inc(&n->ref);
	rcu_assign_pointer(c->root, n);
	WRITE_ONCE(c->btree_depth, level + 1);
	mutex_unlock(&c->btree_write_lock);
	bch_node_put(c, n);
	return 0;
}

static bool flush_wanted(struct btree *n, u64 upto, bool all)
{
	return all || test_bit(BTREE_BAD, &n->flags) ||
	       (n->pin_seq && n->pin_seq <= upto) ||
	       time_after(jiffies, n->dirty_since +
			  msecs_to_jiffies(BCH_FLUSH_AGE_MS));
}

#define FLUSH_BATCH	16

/**
 * bch_btree_flush() - write dirty nodes
 * @c: cache set
 * @upto: write the nodes pinning journal entries <= @upto
 * @all: write every dirty node
 *
 * Context: process context; takes c->btree_write_lock.
 * Return: 0, or the last error if some node could not be written.
 */
int bch_btree_flush(struct cache_set *c, u64 upto, bool all)
{
	struct btree *batch[FLUSH_BATCH], *n;
	int ret = 0, err, passes = 0;
	u32 nr, i, failed;

	if (bch_cache_failed(c))
		return -EIO;
	mutex_lock(&c->btree_write_lock);
	do {
		nr = 0;
		spin_lock(&c->node_lock);
		list_for_each_entry(n, &c->dirty_list, dirty) {
			if (nr == FLUSH_BATCH)
				break;
			if (flush_wanted(n, upto, all) &&
			    atomic_inc_unless_negative(&n->ref))
				batch[nr++] = n;
		}
		spin_unlock(&c->node_lock);
		failed = 0;
		for (i = 0; i < nr; i++) {
			err = bch_node_write(c, batch[i]);
			if (err) {
				ret = err;
				failed++;
			}
			bch_node_put(c, batch[i]);
		}
		cond_resched();
	} while (nr && failed < nr && ++passes < 100000);
	mutex_unlock(&c->btree_write_lock);
	wake_up_all(&c->flush_wait);
	return ret;
}

static void flush_work_fn(struct work_struct *work)
{
	struct cache_set *c = container_of(to_delayed_work(work),
					   struct cache_set, flush_work);
	u64 upto;

	spin_lock(&c->node_lock);
	upto = c->flush_upto;
	c->flush_upto = 0;
	spin_unlock(&c->node_lock);
	bch_btree_flush(c, upto, false);
	if (!READ_ONCE(c->stopping))
		queue_delayed_work(c->wq, &c->flush_work, HZ);
}

/**
 * bch_btree_flush_kick() - write the nodes pinning entries <= @upto soon
 * @c: cache set
 * @upto: journal seq
 */
void bch_btree_flush_kick(struct cache_set *c, u64 upto)
{
	spin_lock(&c->node_lock);
	c->flush_upto = max(c->flush_upto, upto);
	spin_unlock(&c->node_lock);
	if (!READ_ONCE(c->stopping))
		mod_delayed_work(c->wq, &c->flush_work, 0);
}

/**
 * bch_btree_flush_start() - start the periodic node writer
 * @c: cache set
 */
void bch_btree_flush_start(struct cache_set *c)
{
	queue_delayed_work(c->wq, &c->flush_work, HZ);
}

/**
 * bch_btree_flush_init() - prepare the periodic node writer
 * @c: cache set
 */
void bch_btree_flush_init(struct cache_set *c)
{
	INIT_DELAYED_WORK(&c->flush_work, flush_work_fn);
}
