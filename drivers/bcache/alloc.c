// SPDX-License-Identifier: GPL-2.0
/*
 * bcache engine: buckets, generations, priorities and reclaim.
 *
 * Data is written sequentially into one open bucket at a time; a grant
 * never crosses a bucket and pins it (bch_bucket.pin) until the front end
 * calls bch_cache_alloc_done(). Buckets come from a free fifo that the
 * reclaim thread refills in batches:
 *
 *  1. pick the buckets GC found empty, then the least recently used data
 *     buckets (lowest prio: the LRU clock value of their last hit), never
 *     metadata or btree buckets, never pinned or open ones, and never one
 *     whose gen would move more than BCH_GEN_MAX_DISTANCE past the oldest
 *     pointer into it (bch_bucket.oldest_gen, maintained by GC);
 *  2. bump their gens (every pointer into them is stale from now on: the
 *     hit path re-checks the gen after reading), type them DATA, or BTREE
 *     for the btree reserve;
 *  3. write the prio pages holding them (FUA) - the new gens are durable
 *     before anything is written into the buckets;
 *  4. discard them if the discard option is set;
 *  5. push them to the fifos.
 *
 * Reclaim never waits for GC. Only when nothing is reclaimable (every
 * candidate is at its gen limit) it kicks GC and sleeps until GC advanced
 * the limits; allocations meanwhile fail fast or time out.
 *
 * Prio pages are written A/B per page: the copy with the older seq is
 * overwritten, so a torn write never loses the newest good copy.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/freezer.h>
#include <linux/kthread.h>
#include <linux/log2.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "bcache.h"
#include "cache.h"

#define CLOCK_RESCALE	0x8000U
#define RECLAIM_WAIT	(5 * HZ)

static u64 data_buckets(const struct cache_set *c)
{
	return c->g.nbuckets - c->g.data_bucket;
}

static void prio_dirty(struct cache_set *c, u64 b)
{
	c->buckets[b].flags |= BCH_BF_PRIO_DIRTY;
}

/**
 * bch_prio_read() - load every bucket's gen, prio and type
 * @c: cache set with a validated geometry
 *
 * Takes, for every prio page, the valid copy with the highest seq.
 *
 * Context: registration.
 * Return: 0, or -EINVAL after a pr_err() naming the page without a valid
 * copy, or an I/O error.
 */
int bch_prio_read(struct cache_set *c)
{
	struct bch_alloc *a = &c->alloc;
	struct bch_prio_page *p = a->prio_buf;
	const char *why[2] = { "", "" };
	int err[2];
	u64 seq[2], b;
	bool ok[2];
	u32 page, i, nr;
	u16 maxprio = 0;
	int slot, ret;

	for (page = 0; page < c->g.prio_pages; page++) {
		for (slot = 0; slot < 2; slot++) {
			ret = bch_meta_rw(c, bch_prio_page_sector(&c->g, page,
								  slot),
					  p, sizeof(*p), REQ_OP_READ);
			if (ret)
				why[slot] = "read error";
			err[slot] = ret ? ret :
				bch_prio_page_validate(p, sizeof(*p), &c->g,
						       page, slot, &why[slot]);
			ok[slot] = !err[slot];
			seq[slot] = le64_to_cpu(p->seq);
		}
		slot = bch_ab_pick_read(ok[0], seq[0], ok[1], seq[1]);
		if (slot < 0) {
			pr_err("%s: prio page %u has no valid copy (A: %s, B: %s)\n",
			       c->name, page, why[0], why[1]);
			return -EINVAL;
		}
		/* Never written is normal; a copy that went bad is news. */
		if (err[!slot] && err[!slot] != -ENODATA)
			pr_notice("%s: prio page %u copy %c unreadable (%s), using copy %c\n",
				  c->name, page, 'A' + !slot, why[!slot],
				  'A' + slot);
		ret = bch_meta_rw(c, bch_prio_page_sector(&c->g, page, slot),
				  p, sizeof(*p), REQ_OP_READ);
		if (!ret)
			ret = bch_prio_page_validate(p, sizeof(*p), &c->g,
						     page, slot, &why[0]);
		if (ret) {
			pr_err("%s: prio page %u changed under us: %s\n",
			       c->name, page, why[0]);
			return -EINVAL;
		}
		c->alloc.prio_slot[page] = slot;
		c->alloc.prio_seq[page] = seq[slot];
		nr = bch_prio_page_nr(&c->g, page);
		for (i = 0; i < nr; i++) {
			struct bch_bucket *bk;

			b = (u64)page * BCH_PRIOS_PER_PAGE + i;
			bk = &c->buckets[b];
			bk->gen = p->entries[i].gen;
			bk->reg_gen = bk->gen;
			bk->type = p->entries[i].type;
			bk->prio = le16_to_cpu(p->entries[i].prio);
			bk->oldest_gen = bk->gen - BCH_GEN_ASSUME;
			/* Usage is unknown until GC: assume full. */
			if (bk->type == BCH_BUCKET_DATA)
				bk->sectors_used = c->g.bucket_sectors;
			maxprio = max(maxprio, bk->prio);
		}
	}
	a->clock = maxprio;
	return 0;
}

static int prio_write_page(struct cache_set *c, u32 page)
{
	struct bch_prio_page *p = c->alloc.prio_buf;
	u32 i, nr = bch_prio_page_nr(&c->g, page);
	unsigned int slot = !c->alloc.prio_slot[page];
	u64 seq = c->alloc.prio_seq[page] + 1, b;
	int ret;

	memset(p, 0, sizeof(*p));
	spin_lock(&c->alloc.lock);
	for (i = 0; i < nr; i++) {
		struct bch_bucket *bk;

		b = (u64)page * BCH_PRIOS_PER_PAGE + i;
		bk = &c->buckets[b];
		p->entries[i].gen = bk->gen;
		p->entries[i].type = bk->type;
		p->entries[i].prio = cpu_to_le16(READ_ONCE(bk->prio));
		bk->flags &= ~BCH_BF_PRIO_DIRTY;
	}
	spin_unlock(&c->alloc.lock);
	ret = bch_prio_page_seal(p, sizeof(*p), &c->g, page, slot, seq);
	if (!ret)
		ret = bch_meta_rw(c, bch_prio_page_sector(&c->g, page, slot),
				  p, sizeof(*p), REQ_OP_WRITE | REQ_FUA);
	if (ret) {
		bch_meta_error(c, "prio page", page, ret);
		spin_lock(&c->alloc.lock);
		for (i = 0; i < nr; i++)
			prio_dirty(c, (u64)page * BCH_PRIOS_PER_PAGE + i);
		spin_unlock(&c->alloc.lock);
		return ret;
	}
	c->alloc.prio_slot[page] = slot;
	c->alloc.prio_seq[page] = seq;
	return 0;
}

/**
 * bch_prio_write() - persist every prio page holding a changed bucket
 * @c: cache set
 *
 * Context: process context; takes c->alloc.prio_lock.
 * Return: 0 or the first error (the failed pages stay dirty).
 */
int bch_prio_write(struct cache_set *c)
{
	u32 page, i, nr;
	int ret = 0, err;

	mutex_lock(&c->alloc.prio_lock);
	for (page = 0; page < c->g.prio_pages; page++) {
		bool dirty = false;

		nr = bch_prio_page_nr(&c->g, page);
		for (i = 0; i < nr && !dirty; i++)
			dirty = c->buckets[(u64)page * BCH_PRIOS_PER_PAGE + i]
				.flags & BCH_BF_PRIO_DIRTY;
		if (!dirty)
			continue;
		err = prio_write_page(c, page);
		if (err && !ret)
			ret = err;
	}
	c->alloc.prio_writes++;
	mutex_unlock(&c->alloc.prio_lock);
	return ret;
}

/* Can @bk be reclaimed now? Caller holds alloc.lock or accepts a race. */
static bool reclaimable(const struct cache_set *c, const struct bch_bucket *bk)
{
	u8 t = READ_ONCE(bk->type);

	if (t == BCH_BUCKET_META || t == BCH_BUCKET_BTREE)
		return false;
	if (READ_ONCE(bk->flags) & (BCH_BF_FREE_LIST | BCH_BF_OPEN |
				    BCH_BF_FREEING))
		return false;
	if (atomic_read(&bk->pin))
		return false;
	return bch_gen_distance(bk->gen + 1, bk->oldest_gen) <=
		BCH_GEN_MAX_DISTANCE;
}

/* 0..255: LRU rank, lowest first; empty and free buckets rank 0. */
static u32 bucket_rank(const struct bch_bucket *bk)
{
	if (bk->type == BCH_BUCKET_FREE || !READ_ONCE(bk->sectors_used))
		return 0;
	return 1 + (READ_ONCE(bk->prio) >> 8);
}

static u32 pick_candidates(struct cache_set *c, u64 *out, u32 want)
{
	u32 *hist, cut, n = 0, sum = 0;
	u64 b;

	hist = kcalloc(258, sizeof(*hist), GFP_KERNEL);
	if (!hist)
		return 0;
	for (b = c->g.data_bucket; b < c->g.nbuckets; b++)
		if (reclaimable(c, &c->buckets[b]))
			hist[bucket_rank(&c->buckets[b])]++;
	for (cut = 0; cut < 257; cut++) {
		sum += hist[cut];
		if (sum >= want)
			break;
	}
	kfree(hist);
	for (b = c->g.data_bucket; b < c->g.nbuckets && n < want; b++) {
		if (!(b & 1023))
			cond_resched();
		if (reclaimable(c, &c->buckets[b]) &&
		    bucket_rank(&c->buckets[b]) <= cut)
			out[n++] = b;
	}
	return n;
}

static void clock_rescale(struct cache_set *c)
{
	struct bch_alloc *a = &c->alloc;
	u64 b;

	for (b = 0; b < c->g.nbuckets; b++) {
		u16 p = READ_ONCE(c->buckets[b].prio);

		WRITE_ONCE(c->buckets[b].prio,
			   p > CLOCK_RESCALE ? p - CLOCK_RESCALE : 0);
	}
	spin_lock(&a->lock);
	a->clock -= CLOCK_RESCALE;
	spin_unlock(&a->lock);
}

/*
 * One reclaim pass. Return: buckets added to the fifos, 0 if none were
 * needed, -ENOSPC if some were needed and none could be reclaimed.
 */
static int reclaim(struct cache_set *c, u64 *cand)
{
	struct bch_alloc *a = &c->alloc;
	u32 want_free, want_btree, n, i, got = 0;
	u64 b;

	spin_lock(&a->lock);
	want_free = a->free.size - bch_fifo_used(&a->free);
	want_btree = a->btree.size - bch_fifo_used(&a->btree);
	spin_unlock(&a->lock);
	if (!want_free && !want_btree)
		return 0;
	n = pick_candidates(c, cand, want_free + want_btree);
	if (!n)
		return -ENOSPC;

	spin_lock(&a->lock);
	for (i = 0; i < n; i++) {
		struct bch_bucket *bk = &c->buckets[cand[i]];

		if (!reclaimable(c, bk)) {
			cand[i] = U64_MAX;
			continue;
		}
		bk->gen++;
		if (bch_gen_distance(bk->gen, bk->oldest_gen) >
		    BCH_GEN_GC_WANT && time_after(jiffies, c->gc_last + HZ))
			WRITE_ONCE(c->gc_want, true);
		bk->type = i < want_btree ? BCH_BUCKET_BTREE : BCH_BUCKET_DATA;
		bk->flags |= BCH_BF_FREE_LIST | BCH_BF_KNOWN;
		bk->sectors_used = 0;
		WRITE_ONCE(bk->prio, a->clock);
		prio_dirty(c, cand[i]);
	}
	spin_unlock(&a->lock);
	if (READ_ONCE(c->gc_want))
		bch_gc_kick(c);

	if (bch_prio_write(c)) {
		/* Not durable: the buckets must not be used. */
		spin_lock(&a->lock);
		for (i = 0; i < n; i++)
			if (cand[i] != U64_MAX)
				c->buckets[cand[i]].flags &= ~BCH_BF_FREE_LIST;
		spin_unlock(&a->lock);
		return -EIO;
	}

	for (i = 0; i < n; i++) {
		b = cand[i];
		if (b == U64_MAX || !READ_ONCE(c->discard) ||
		    !bdev_max_discard_sectors(c->bdev))
			continue;
		blkdev_issue_discard(c->bdev, bch_bucket_to_sector(&c->g, b),
				     c->g.bucket_sectors, GFP_NOIO);
	}

	spin_lock(&a->lock);
	for (i = 0; i < n; i++) {
		b = cand[i];
		if (b == U64_MAX)
			continue;
		if (c->buckets[b].type == BCH_BUCKET_BTREE)
			bch_fifo_push(&a->btree, b);
		else
			bch_fifo_push(&a->free, b);
		got++;
	}
	spin_unlock(&a->lock);
	wake_up_all(&a->wait);
	return got ? got : -ENOSPC;
}

static bool alloc_needs_work(struct cache_set *c)
{
	struct bch_alloc *a = &c->alloc;
	bool ret;

	spin_lock(&a->lock);
	ret = a->wake || bch_fifo_used(&a->free) < a->free.size / 2 + 1 ||
	      bch_fifo_used(&a->btree) < a->btree.size;
	a->wake = false;
	spin_unlock(&a->lock);
	return ret;
}

static int alloc_thread(void *arg)
{
	struct cache_set *c = arg;
	struct bch_alloc *a = &c->alloc;
	u64 *cand;

	cand = kvmalloc_array(c->alloc.free.size + c->alloc.btree.size,
			      sizeof(*cand), GFP_KERNEL);
	if (!cand)
		return -ENOMEM;
	while (!kthread_should_stop()) {
		if (a->clock >= U16_MAX - 1)
			clock_rescale(c);
		if (!bch_cache_failed(c) && alloc_needs_work(c)) {
			int ret = reclaim(c, cand);

			if (ret > 0) {
				atomic_set(&c->alloc.stuck, 0);
				continue;
			}
			/* Nothing reclaimable: GC must advance gen limits. */
			if (ret == -ENOSPC) {
				atomic_set(&c->alloc.stuck, 1);
				if (time_after(jiffies, c->gc_last + 10 * HZ))
					bch_gc_kick(c);
			}
		}
		wait_event_interruptible_timeout(c->alloc.wait,
						 kthread_should_stop() ||
						 READ_ONCE(c->alloc.wake),
						 HZ);
	}
	kvfree(cand);
	return 0;
}

/**
 * bch_alloc_wake() - ask the reclaim thread for another pass
 * @c: cache set
 */
void bch_alloc_wake(struct cache_set *c)
{
	spin_lock(&c->alloc.lock);
	c->alloc.wake = true;
	spin_unlock(&c->alloc.lock);
	wake_up_all(&c->alloc.wait);
}

/* Wait for @f to be refilled; @stop: give up early when stopping. */
static int wait_for_fifo(struct cache_set *c, struct bch_fifo *f, bool stop)
{
	long t;

	bch_alloc_wake(c);
	t = wait_event_timeout(c->alloc.wait,
			       READ_ONCE(f->back) != READ_ONCE(f->front) ||
			       (stop && READ_ONCE(c->stopping)),
			       RECLAIM_WAIT);
	return t ? 0 : -ENOSPC;
}

int bch_cache_alloc(struct cache_set *c, u32 sectors, struct bch_space *sp,
		    bool may_block)
{
	struct bch_alloc *a = &c->alloc;
	u32 bs = c->g.bucket_sectors, grant;
	u64 b;

	if (!sectors)
		return -EINVAL;
again:
	if (READ_ONCE(c->stopping))
		return -ENODEV;
	if (bch_cache_failed(c))
		return -EIO;
	spin_lock(&a->lock);
	if (a->open != U64_MAX && a->open_off >= bs) {
		c->buckets[a->open].flags &= ~BCH_BF_OPEN;
		a->open = U64_MAX;
	}
	if (a->open == U64_MAX) {
		if (!bch_fifo_used(&a->free)) {
			spin_unlock(&a->lock);
			if (!may_block) {
				bch_alloc_wake(c);
				return -ENOSPC;
			}
			if (wait_for_fifo(c, &a->free, true))
				return -ENOSPC;
			goto again;
		}
		b = bch_fifo_pop(&a->free);
		c->buckets[b].flags &= ~BCH_BF_FREE_LIST;
		c->buckets[b].flags |= BCH_BF_OPEN;
		WRITE_ONCE(c->buckets[b].prio, a->clock);
		a->open = b;
		a->open_off = 0;
		if (++a->clock_ticks >= max_t(u64, 1, data_buckets(c) >> 14)) {
			a->clock_ticks = 0;
			if (a->clock < U16_MAX - 1)
				a->clock++;
		}
		if (bch_fifo_used(&a->free) < a->free.size / 2)
			a->wake = true;
	}
	b = a->open;
	grant = min(sectors, bs - a->open_off);
	sp->cache_sector = bch_bucket_to_sector(&c->g, b) + a->open_off;
	sp->sectors = grant;
	sp->gen = c->buckets[b].gen;
	atomic_inc(&c->buckets[b].pin);
	a->open_off += round_up(grant, c->g.block_sectors);
	spin_unlock(&a->lock);
	if (READ_ONCE(a->wake))
		wake_up_all(&a->wait);
	return 0;
}

void bch_cache_alloc_done(struct cache_set *c, const struct bch_space *sp)
{
	u64 b = bch_bucket_nr(c, sp->cache_sector);

	if (WARN_ON_ONCE(b >= c->g.nbuckets))
		return;
	atomic64_add(sp->sectors, &c->written_sectors);
	if (WARN_ON_ONCE(atomic_dec_return(&c->buckets[b].pin) < 0))
		atomic_inc(&c->buckets[b].pin);
	/*
	 * Every time an eighth of the cache has been rewritten, let GC drop
	 * the pointers into reclaimed buckets from the btree and recount
	 * bucket usage; it runs incrementally, nothing waits for it.
	 */
	if (atomic64_add_return(sp->sectors, &c->written_since_gc) >
	    (s64)(c->g.nbuckets * c->g.bucket_sectors / 8)) {
		atomic64_set(&c->written_since_gc, 0);
		bch_gc_kick(c);
	}
}

/**
 * bch_btree_bucket_alloc() - take a bucket for a new btree node
 * @c: cache set
 * @may_block: wait (bounded) for the reclaim thread if the reserve is empty
 * @bucket: set to the bucket
 * @gen: set to its (persisted) gen
 *
 * The bucket is typed BTREE on disk already.
 *
 * Return: 0 or -ENOSPC.
 */
int bch_btree_bucket_alloc(struct cache_set *c, bool may_block, u64 *bucket,
			   u8 *gen)
{
	struct bch_alloc *a = &c->alloc;

	for (;;) {
		spin_lock(&a->lock);
		if (bch_fifo_used(&a->btree)) {
			u64 b = bch_fifo_pop(&a->btree);

			c->buckets[b].flags &= ~BCH_BF_FREE_LIST;
			if (c->gc_running)
				c->buckets[b].flags |= BCH_BF_NEW;
			c->buckets[b].sectors_used = c->g.bucket_sectors;
			*bucket = b;
			*gen = c->buckets[b].gen;
			spin_unlock(&a->lock);
			bch_alloc_wake(c);
			return 0;
		}
		spin_unlock(&a->lock);
		if (!may_block || !a->thread)
			return -ENOSPC;
		if (wait_for_fifo(c, &a->btree, false))
			return -ENOSPC;
	}
}

/**
 * bch_btree_bucket_free() - a btree node's bucket is unreferenced
 * @c: cache set
 * @bucket: the bucket
 *
 * Only call once nothing durable points at the node any more (the parent
 * or journal update is on disk). The type change is persisted lazily.
 */
void bch_btree_bucket_free(struct cache_set *c, u64 bucket)
{
	struct bch_bucket *bk = &c->buckets[bucket];

	spin_lock(&c->alloc.lock);
	bk->type = BCH_BUCKET_FREE;
	bk->sectors_used = 0;
	bk->flags &= ~(BCH_BF_FREEING | BCH_BF_NEW);
	prio_dirty(c, bucket);
	spin_unlock(&c->alloc.lock);
}

/**
 * bch_bucket_poison() - a pointer newer than its bucket's gen was found
 * @c: cache set
 * @k: the pointer, from metadata written before registration
 *
 * On disk a gen is durable before anything is written into its bucket, so
 * this is damage: the recorded gen is behind, and pointers of older gens
 * into the bucket may look current. Unless the bucket was reused since
 * registration (which already made every older pointer stale), its gen
 * moves past the pointer's: nothing in the bucket is served any more. The
 * hit path re-checks the gen after reading, so reads in flight fall back
 * to the backing device. Persisted with the next prio write.
 */
void bch_bucket_poison(struct cache_set *c, const struct bch_key *k)
{
	u64 b = bch_bucket_nr(c, bch_ptr_sector(k));
	u8 gen = bch_ptr_gen(k) + 1;
	struct bch_bucket *bk;

	atomic_inc(&c->future_ptrs);
	if (b < c->g.data_bucket || b >= c->g.nbuckets)
		return;
	bk = &c->buckets[b];
	spin_lock(&c->alloc.lock);
	if ((bk->type == BCH_BUCKET_DATA || bk->type == BCH_BUCKET_FREE) &&
	    !(bk->flags & (BCH_BF_KNOWN | BCH_BF_FREE_LIST | BCH_BF_OPEN)) &&
	    bch_gen_after(gen, bk->gen)) {
		WRITE_ONCE(bk->gen, gen);
		prio_dirty(c, b);
	}
	spin_unlock(&c->alloc.lock);
}

/**
 * bch_bucket_hit() - LRU: the bucket was just read from
 * @c: cache set
 * @bucket: the bucket
 *
 * Context: any; lockless.
 */
void bch_bucket_hit(struct cache_set *c, u64 bucket)
{
	struct bch_alloc *a = &c->alloc;
	u16 clock = READ_ONCE(a->clock);

	if (READ_ONCE(c->buckets[bucket].prio) != clock)
		WRITE_ONCE(c->buckets[bucket].prio, clock);
}

/**
 * bch_buckets_free() - buckets holding nothing (for sysfs)
 * @c: cache set
 *
 * Return: the number of data-area buckets that are free or empty.
 */
u64 bch_buckets_free(struct cache_set *c)
{
	u64 b, n = 0;

	for (b = c->g.data_bucket; b < c->g.nbuckets; b++) {
		struct bch_bucket *bk = &c->buckets[b];

		if (READ_ONCE(bk->flags) & BCH_BF_OPEN)
			continue;
		if (READ_ONCE(bk->flags) & BCH_BF_FREE_LIST ||
		    READ_ONCE(bk->type) == BCH_BUCKET_FREE ||
		    (READ_ONCE(bk->type) == BCH_BUCKET_DATA &&
		     !READ_ONCE(bk->sectors_used)))
			n++;
	}
	return n;
}

/**
 * bch_buckets_used() - buckets holding live data or btree nodes
 * @c: cache set
 *
 * Return: the number of data-area buckets in use.
 */
u64 bch_buckets_used(struct cache_set *c)
{
	return data_buckets(c) - bch_buckets_free(c);
}

/**
 * bch_alloc_init() - allocate the allocator's state
 * @c: cache set with a validated geometry and a bucket array
 *
 * Return: 0 or -ENOMEM.
 */
int bch_alloc_init(struct cache_set *c)
{
	struct bch_alloc *a = &c->alloc;
	/*
	 * Buckets in the free fifo are already invalidated: cache capacity
	 * held back from data. About 1/128 of the buckets (refilled at half)
	 * keeps that loss near 1% and still gives a 1 GiB cache of 256 KiB
	 * buckets 8 MiB of headroom.
	 */
	u32 nfree = roundup_pow_of_two(clamp_t(u64, data_buckets(c) / 128,
					       4, 512));

	mutex_init(&a->prio_lock);
	a->free.size = nfree;
	a->btree.size = BCH_BTREE_RESERVE;
	a->free.data = kvcalloc(nfree, sizeof(u64), GFP_KERNEL);
	a->btree.data = kvcalloc(BCH_BTREE_RESERVE, sizeof(u64), GFP_KERNEL);
	a->prio_slot = kvcalloc(c->g.prio_pages, 1, GFP_KERNEL);
	a->prio_seq = kvcalloc(c->g.prio_pages, sizeof(u64), GFP_KERNEL);
	a->prio_buf = kmalloc(sizeof(*a->prio_buf), GFP_KERNEL);
	if (!a->free.data || !a->btree.data || !a->prio_slot ||
	    !a->prio_seq || !a->prio_buf)
		return -ENOMEM;
	return 0;
}

/**
 * bch_alloc_start() - start the reclaim thread
 * @c: cache set whose buckets are loaded
 *
 * Return: 0 or a negative errno.
 */
int bch_alloc_start(struct cache_set *c)
{
	struct task_struct *t;

	t = kthread_run(alloc_thread, c, "bcache_alloc/%s", c->name);
	if (IS_ERR(t))
		return PTR_ERR(t);
	c->alloc.thread = t;
	return 0;
}

/**
 * bch_alloc_stop() - stop the reclaim thread and release the open bucket
 * @c: cache set
 */
void bch_alloc_stop(struct cache_set *c)
{
	if (c->alloc.thread)
		kthread_stop(c->alloc.thread);
	c->alloc.thread = NULL;
	spin_lock(&c->alloc.lock);
	if (c->alloc.open != U64_MAX && c->buckets)
		c->buckets[c->alloc.open].flags &= ~BCH_BF_OPEN;
	c->alloc.open = U64_MAX;
	spin_unlock(&c->alloc.lock);
}

/**
 * bch_alloc_exit() - free the allocator's state
 * @c: cache set
 */
void bch_alloc_exit(struct cache_set *c)
{
	struct bch_alloc *a = &c->alloc;

	kvfree(a->free.data);
	kvfree(a->btree.data);
	kvfree(a->prio_slot);
	kvfree(a->prio_seq);
	kfree(a->prio_buf);
}
