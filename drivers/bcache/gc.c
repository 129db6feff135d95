// SPDX-License-Identifier: GPL-2.0
/*
 * bcache engine: garbage collection.
 *
 * A pass walks the leaves in key order, one leaf at a time, holding one
 * node lock at a time and dropping everything between leaves, so
 * foreground I/O never waits for more than one node's worth of work. For
 * each leaf it
 *  - rewrites it (copy-on-write, through the normal writer) without its
 *    stale pointers when they are many, or old enough to threaten a gen
 *    wrap, or when its log is mostly overwritten keys;
 *  - counts the live sectors of every bucket and the oldest gen still
 *    pointing into it.
 * Interior nodes met on the way mark every btree bucket in use. A leaf
 * that only GC used is freed once walked (drop-behind): a pass holds one
 * leaf at a time, not the whole tree, and pushes out no hot node.
 *
 * At the end, after a journal flush (so that no pointer GC did not see can
 * come back on replay), it publishes per bucket: the sectors in use
 * (buckets_used, reclaim order) and oldest_gen, which bounds how far
 * reclaim may bump the gen; btree buckets nothing points at any more are
 * freed. Buckets allocated while the pass ran keep their state.
 *
 * Triggers: registration (GC_FIRST_DELAY later, so that the first pass,
 * which reads every node, does not compete with the I/O of a device that
 * just came up), allocation pressure (reclaim found nothing), gen distance
 * (reclaim bumped a gen far past oldest_gen), a timer, and the trigger_gc
 * sysfs file.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/freezer.h>
#include <linux/kthread.h>
#include <linux/vmalloc.h>

#include "bcache.h"
#include "btree.h"

#define GC_PERIOD	(600 * HZ)
#define GC_FIRST_DELAY	(5 * HZ)

struct gc_state {
	u64	skip_to;	/* resume after an unreadable subtree */
	bool	incomplete;	/* some subtree could not be walked */
};

static void account_ptr(struct cache_set *c, const struct bch_key *k,
			bool live)
{
	u64 b = bch_bucket_nr(c, bch_ptr_sector(k));
	u8 d;

	if (b >= c->g.nbuckets)
		return;
	d = bch_gen_distance(c->gc_gen[b], bch_ptr_gen(k));
	if (d <= BCH_GEN_MAX_DISTANCE && d > c->gc_dist[b])
		c->gc_dist[b] = d;
	if (live)
		c->gc_sectors[b] += bch_ptr_size(k);
}

static void gc_visit(struct cache_set *c, struct btree *n, void *arg)
{
	struct gc_state *s = arg;
	u32 i;

	if (test_bit(BTREE_BAD, &n->flags)) {
		s->incomplete = true;
		s->skip_to = n->hi;
		return;
	}
	if (test_and_set_bit(n->bucket, c->gc_mark))
		return;		/* children already marked this pass */
	for (i = 0; i < n->live.nr; i++) {
		const struct bch_key *k = &n->live.k[i];

		set_bit(bch_bucket_nr(c, bch_ptr_sector(k)), c->gc_mark);
		account_ptr(c, k, false);
	}
}

static bool leaf_wants_rewrite(struct cache_set *c, struct btree *n)
{
	u32 i, stale = 0;
	bool old = false;

	for (i = 0; i < n->live.nr; i++) {
		const struct bch_key *k = &n->live.k[i];
		u8 gen = READ_ONCE(bch_ptr_bucket(c, k)->gen);

		if (!bch_ptr_stale(gen, k))
			continue;
		stale++;
		if (bch_gen_distance(gen, bch_ptr_gen(k)) > BCH_GEN_GC_WANT)
			old = true;
	}
	if (old || (stale && stale * 4 >= n->live.nr))
		return true;
	/* Mostly overwritten log: compact. */
	return n->nbsets > 4 && n->woff * 2 > c->g.bucket_sectors &&
	       n->live.nr * sizeof(struct bch_key) * 8 <
	       ((u64)n->woff << SECTOR_SHIFT);
}

/* Rewrite the leaf at @pos without its stale pointers. */
static void rewrite_leaf(struct cache_set *c, u64 pos)
{
	struct btree *n;
	u32 i, j;

	mutex_lock(&c->btree_write_lock);
	if (bch_btree_find(c, pos, 0, true, true, &n))
		goto out;
	for (i = j = 0; i < n->live.nr; i++) {
		const struct bch_key *k = &n->live.k[i];

		if (!bch_ptr_stale(READ_ONCE(bch_ptr_bucket(c, k)->gen), k))
			n->live.k[j++] = *k;
	}
	n->live.nr = j;
	up_write(&n->lock);
	bch_node_replace(c, n, false);
	bch_node_put(c, n);
out:
	mutex_unlock(&c->btree_write_lock);
}

/* Walk one leaf; return the position after it, or U64_MAX at the end. */
static u64 gc_leaf(struct cache_set *c, u64 pos, struct gc_state *s)
{
	struct btree *n;
	u64 next;
	u32 i;
	int ret;

	s->skip_to = 0;
	ret = bch_btree_find_visit(c, pos, 0, false, true, &n, gc_visit, s);
	if (ret) {
		s->incomplete = true;
		return s->skip_to > pos ? s->skip_to : U64_MAX;
	}
	if (!test_bit(BTREE_BAD, &n->flags) && leaf_wants_rewrite(c, n)) {
		up_read(&n->lock);
		bch_node_put(c, n);
		rewrite_leaf(c, pos);
		ret = bch_btree_find_visit(c, pos, 0, false, true, &n,
					   gc_visit, s);
		if (ret) {
			s->incomplete = true;
			return s->skip_to > pos ? s->skip_to : U64_MAX;
		}
	}
	set_bit(n->bucket, c->gc_mark);
	for (i = 0; i < n->live.nr; i++) {
		const struct bch_key *k = &n->live.k[i];
		u8 gen = READ_ONCE(bch_ptr_bucket(c, k)->gen);

		account_ptr(c, k, !bch_ptr_stale(gen, k));
	}
	next = n->hi;
	up_read(&n->lock);
	bch_node_put_scanned(c, n);
	return next;
}

static void gc_publish(struct cache_set *c, bool incomplete)
{
	u64 b;

	spin_lock(&c->alloc.lock);
	for (b = c->g.data_bucket; b < c->g.nbuckets; b++) {
		struct bch_bucket *bk = &c->buckets[b];

		if (bk->flags & BCH_BF_NEW) {
			bk->flags &= ~BCH_BF_NEW;
			continue;
		}
		if (!incomplete)
			bk->oldest_gen = c->gc_gen[b] - c->gc_dist[b];
		if (bk->flags & (BCH_BF_FREE_LIST | BCH_BF_OPEN |
				 BCH_BF_FREEING))
			continue;
		if (bk->type == BCH_BUCKET_DATA || bk->type == BCH_BUCKET_FREE)
			WRITE_ONCE(bk->sectors_used, c->gc_sectors[b]);
		if (bk->type == BCH_BUCKET_BTREE && !incomplete &&
		    !test_bit(b, c->gc_mark)) {
			bk->type = BCH_BUCKET_FREE;
			bk->sectors_used = 0;
			bk->flags |= BCH_BF_PRIO_DIRTY;
		}
	}
	spin_unlock(&c->alloc.lock);
}

static void gc_run(struct cache_set *c)
{
	struct gc_state s = { };
	u64 pos = 0, b;

	spin_lock(&c->alloc.lock);
	c->gc_running = true;
	for (b = 0; b < c->g.nbuckets; b++)
		c->gc_gen[b] = c->buckets[b].gen;
	spin_unlock(&c->alloc.lock);
	memset(c->gc_sectors, 0, c->g.nbuckets * sizeof(*c->gc_sectors));
	memset(c->gc_dist, 0, c->g.nbuckets);
	bitmap_zero(c->gc_mark, c->g.nbuckets);

	while (pos != U64_MAX && !kthread_should_stop()) {
		pos = gc_leaf(c, pos, &s);
		cond_resched();
	}
	if (kthread_should_stop() || bch_journal_flush(c))
		s.incomplete = true;
	if (!kthread_should_stop())
		gc_publish(c, s.incomplete);
	spin_lock(&c->alloc.lock);
	c->gc_running = false;
	spin_unlock(&c->alloc.lock);
	c->gc_last = jiffies;
	WRITE_ONCE(c->gc_runs, c->gc_runs + 1);
	atomic_set(&c->alloc.stuck, 0);
	bch_alloc_wake(c);
	wake_up_all(&c->gc_wait);
}

static int gc_thread(void *arg)
{
	struct cache_set *c = arg;
	long timeout = GC_FIRST_DELAY;

	set_freezable();
	while (!kthread_should_stop()) {
		wait_event_freezable_timeout(c->gc_wait,
					     READ_ONCE(c->gc_want) ||
					     kthread_should_stop(),
					     timeout);
		timeout = GC_PERIOD;
		if (kthread_should_stop())
			break;
		WRITE_ONCE(c->gc_want, false);
		if (!bch_cache_failed(c))
			gc_run(c);
	}
	return 0;
}

/**
 * bch_gc_kick() - ask for a GC pass
 * @c: cache set
 */
void bch_gc_kick(struct cache_set *c)
{
	WRITE_ONCE(c->gc_want, true);
	wake_up_all(&c->gc_wait);
}

/**
 * bch_gc_start() - allocate GC state and start the GC thread
 * @c: cache set
 *
 * A first pass runs GC_FIRST_DELAY later (at once if reclaim needs it), to
 * learn bucket usage and gen bounds.
 *
 * Return: 0 or a negative errno.
 */
int bch_gc_start(struct cache_set *c)
{
	struct task_struct *t;
	u64 n = c->g.nbuckets;

	c->gc_sectors = kvcalloc(n, sizeof(u32), GFP_KERNEL);
	c->gc_gen = kvzalloc(n, GFP_KERNEL);
	c->gc_dist = kvzalloc(n, GFP_KERNEL);
	c->gc_mark = kvcalloc(BITS_TO_LONGS(n), sizeof(long), GFP_KERNEL);
	if (!c->gc_sectors || !c->gc_gen || !c->gc_dist || !c->gc_mark)
		return -ENOMEM;
	t = kthread_run(gc_thread, c, "bcache_gc/%s", c->name);
	if (IS_ERR(t))
		return PTR_ERR(t);
	c->gc_thread = t;
	return 0;
}

/**
 * bch_gc_stop() - stop the GC thread and free its state
 * @c: cache set
 */
void bch_gc_stop(struct cache_set *c)
{
	if (c->gc_thread)
		kthread_stop(c->gc_thread);
	c->gc_thread = NULL;
	kvfree(c->gc_sectors);
	kvfree(c->gc_gen);
	kvfree(c->gc_dist);
	kvfree(c->gc_mark);
	c->gc_sectors = NULL;
	c->gc_gen = NULL;
	c->gc_dist = NULL;
	c->gc_mark = NULL;
}
