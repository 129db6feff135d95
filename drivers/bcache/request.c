// SPDX-License-Identifier: GPL-2.0
/*
 * bcache: request routing, and the read paths.
 *
 * bch_submit_bio() is the submit_bio of /dev/bcacheN. Without a ready cache
 * binding a read is a plain remap to the backing device. With one:
 *
 * - a read the cache fully covers is remapped to the SSD: the bio itself
 *   when one piece covers it (its completion is hooked, as dm does), else a
 *   clone per piece; when all completed, every piece's pointer is
 *   re-checked (bch_cache_ptr_valid(), rule 1), and on a stale pointer or
 *   an SSD error the whole bio is read again from the backing device, from
 *   a worker, so the user never sees a cache error or stale data;
 * - a miss registers a fill with the range tracker, reads the backing
 *   device through a clone, copies the data into pages allocated without
 *   blocking, completes the user's bio, and writes the copy to the SSD and
 *   inserts it from a worker;
 * - a read with more cached pieces than its request holds is looked up
 *   again with room for BCH_MAX_PIECES (bch_req_grow()); if it has more
 *   still, or no room could be had at once, it is split after the last
 *   piece that fits; the rest is submitted again and looked up on its own;
 * - a lookup that would block (-EAGAIN) is retried from a worker.
 *
 * Sequential streams larger than sequential_cutoff bypass the cache: they
 * use cached data if there is any, but never fill. Writes are in write.c.
 *
 * I/O accounting (/sys/block/bcacheN/stat, iostat), while the queue's
 * iostats flag is set, costs no allocation on the cached paths: a bch_req
 * starts it (bch_req_acct_start()) and ends it just before it completes the
 * user's bio (bch_req_acct_end()); a read the cache gives up on is remapped
 * with its completion hooked, as a single-piece hit is. Only bios without a
 * bch_req (passthrough reads, other operations) are wrapped in a clone from
 * bch_acct_bs whose completion ends the accounting. A read that is split
 * hands its accounting to such a clone first: the rest of the split comes
 * back to bch_submit_bio() carrying it, is recognised by its bioset, and the
 * user's bio is counted once.
 *
 * Copyright (C) 2026 The bcache authors.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/hash.h>
#include <linux/mempool.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "dev.h"

#define BCH_REQ_POOL		64
#define BCH_PIECES_POOL		16	/* requests over more extents than inline */
#define BCH_CLONE_POOL		256
#define BCH_FILL_MAX		min_t(unsigned int, SZ_1M, BIO_MAX_VECS * PAGE_SIZE)
#define BCH_FILL_BUDGET		(64L << 20)	/* bytes of fills in flight */

struct bio_set bch_clone_bs;
static struct bio_set bch_split_bs;
static struct bio_set bch_acct_bs;
struct workqueue_struct *bch_io_wq;
static struct workqueue_struct *bch_fill_wq;
static struct kmem_cache *bch_req_cache;
static mempool_t bch_req_pool;
static mempool_t bch_pieces_pool;
static atomic_long_t bch_fill_bytes = ATOMIC_LONG_INIT(0);

/* ---- helpers ------------------------------------------------------------- */

static gfp_t bio_gfp(struct bio *bio)
{
	return bio->bi_opf & REQ_NOWAIT ? GFP_NOWAIT : GFP_NOIO;
}

static void remap(struct bcache_dev *d, struct bio *bio)
{
	bio_set_dev(bio, d->bdev);
	submit_bio_noacct(bio);
}

/* ---- I/O accounting clones ------------------------------------------------ */

/* The accounting clone of one user bio; @clone is last (the bioset's pad). */
struct bch_acct {
	struct bio	*orig;
	unsigned long	start;
	struct bio	clone;
};

static void acct_endio(struct bio *clone)
{
	struct bch_acct *ac = container_of(clone, struct bch_acct, clone);
	struct bio *bio = ac->orig;

	bio->bi_status = clone->bi_status;
	bio_end_io_acct(bio, ac->start);
	bio_put(clone);
	bio_endio(bio);
}

/* A clone whose completion ends @bio's accounting (from @start) and @bio. */
static struct bio *acct_clone(struct bio *bio, unsigned long start, gfp_t gfp)
{
	struct bch_acct *ac;
	struct bio *clone;

	clone = bio_alloc_clone(bio->bi_bdev, bio, gfp, &bch_acct_bs);
	if (!clone)
		return NULL;
	ac = container_of(clone, struct bch_acct, clone);
	ac->orig = bio;
	ac->start = start;
	clone->bi_end_io = acct_endio;
	return clone;
}

/**
 * bch_acct_wrap() - account a bio that no bch_req will carry.
 * @bio: the user's bio
 *
 * Context: submit_bio context; does not block for REQ_NOWAIT.
 * Return: the clone to route in place of @bio, or NULL if @bio was ended.
 */
struct bio *bch_acct_wrap(struct bio *bio)
{
	struct bio *clone = acct_clone(bio, 0, bio_gfp(bio));

	if (!clone) {
		bio_wouldblock_error(bio);
		return NULL;
	}
	container_of(clone, struct bch_acct, clone)->start =
		bio_start_io_acct(bio);
	return clone;
}

/*
 * Is @bio the rest of a split read of this disk, already accounted? (An
 * accounting clone of a bcacheN stacked on this one is not.)
 */
static bool acct_carried(struct bio *bio)
{
	return bio->bi_pool == &bch_acct_bs &&
	       container_of(bio, struct bch_acct, clone)->orig->bi_bdev ==
	       bio->bi_bdev;
}

/**
 * bch_att_get() - reference the device's cache binding, if any.
 * @d: device
 *
 * Context: any context; lock-free.
 * Return: the binding (drop with bch_att_put()), or NULL.
 */
struct bch_attach *bch_att_get(struct bcache_dev *d)
{
	struct bch_attach *a;

	rcu_read_lock();
	a = rcu_dereference(d->att);
	if (a && !percpu_ref_tryget_live(&a->ref))
		a = NULL;
	rcu_read_unlock();
	return a;
}

/**
 * bch_att_put() - drop a reference taken by bch_att_get().
 * @a: binding
 *
 * Context: any context.
 */
void bch_att_put(struct bch_attach *a)
{
	percpu_ref_put(&a->ref);
}

/**
 * bch_req_alloc() - allocate the state of a cached request.
 * @d: device
 * @a: referenced binding; owned by the request from now on
 * @bio: the user's bio
 *
 * Context: submit_bio or process context; does not block for REQ_NOWAIT.
 * Return: the request, or NULL (only for REQ_NOWAIT).
 */
struct bch_req *bch_req_alloc(struct bcache_dev *d, struct bch_attach *a,
			      struct bio *bio)
{
	struct bch_req *req = mempool_alloc(&bch_req_pool, bio_gfp(bio));

	if (!req)
		return NULL;
	/* The pieces are written before they are read (req->nr). */
	memset(req, 0, offsetof(struct bch_req, hits));
	req->hits = req->hit_in;
	req->max = BCH_INLINE_PIECES;
	req->d = d;
	req->a = a;
	req->orig = bio;
	req->iter = bio->bi_iter;
	return req;
}

/**
 * bch_req_acct_start() - start the accounting of the user's bio.
 * @req: request that will complete req->orig; bch_req_acct_end() ends it
 *
 * Context: any context.
 */
void bch_req_acct_start(struct bch_req *req)
{
	req->acct = true;
	req->acct_start = bio_start_io_acct(req->orig);
}

/**
 * bch_req_acct_end() - end the accounting of the user's bio, if @req has it.
 * @req: request about to complete req->orig
 *
 * Context: any context.
 */
void bch_req_acct_end(struct bch_req *req)
{
	if (req->acct) {
		/* orig may still be remapped: name the disk it was for. */
		bio_end_io_acct_remapped(req->orig, req->acct_start,
					 req->d->disk->part0);
		req->acct = false;
	}
}

/**
 * bch_req_free() - release a request: its range, its binding reference.
 * @req: request
 *
 * Context: any context.
 */
void bch_req_free(struct bch_req *req)
{
	/* Every path ends the user's accounting before it lets go. */
	WARN_ON_ONCE(req->acct);
	bch_range_del(&req->range);
	if (req->a)
		bch_att_put(req->a);
	if (req->hits != req->hit_in)
		mempool_free(req->hits, &bch_pieces_pool);
	mempool_free(req, &bch_req_pool);
}

/**
 * bch_req_grow() - give a request room for BCH_MAX_PIECES pieces.
 * @req: request; the pieces it holds are kept
 *
 * Context: any context; never waits for memory.
 * Return: true if it has the room now, false if it had it already or no
 * array could be had at once.
 */
bool bch_req_grow(struct bch_req *req)
{
	void *p;

	if (req->max == BCH_MAX_PIECES)
		return false;
	p = mempool_alloc(&bch_pieces_pool, GFP_NOWAIT | __GFP_NOWARN);
	if (!p)
		return false;
	/* hit_in[] is the larger member: it covers sp_in[] too. */
	memcpy(p, req->hit_in, sizeof(req->hit_in));
	req->hits = p;
	req->max = BCH_MAX_PIECES;
	return true;
}

/**
 * bch_req_aligned() - can the request's range be addressed on the SSD?
 * @req: request with a binding
 *
 * Return: true if start and size are multiples of the SSD's logical block.
 */
bool bch_req_aligned(struct bch_req *req)
{
	unsigned int lbs = bdev_logical_block_size(bch_cache_bdev(req->a->c));

	return IS_ALIGNED((req->iter.bi_sector << SECTOR_SHIFT) |
			  req->iter.bi_size, lbs);
}

/**
 * bch_seq_bypass() - is @bio part of a sequential stream to bypass?
 * @d: device
 * @bio: read or write
 *
 * A small table, hashed by sector, remembers where recent streams end and
 * how long they are. Races between CPUs only lose or merge streams.
 *
 * Context: any context; lock-free.
 * Return: true if the stream reached sequential_cutoff (never if it is 0).
 */
bool bch_seq_bypass(struct bcache_dev *d, struct bio *bio)
{
	u64 cutoff = READ_ONCE(d->seq_cutoff);
	u64 start = bio->bi_iter.bi_sector, end = bio_end_sector(bio);
	u64 bytes = bio->bi_iter.bi_size;
	struct bch_seq *s;

	if (!cutoff)
		return false;
	s = &d->seq[hash_64(start, BCH_SEQ_BITS)];
	if (READ_ONCE(s->end) == start)
		bytes += READ_ONCE(s->bytes);
	s = &d->seq[hash_64(end, BCH_SEQ_BITS)];
	WRITE_ONCE(s->end, end);
	WRITE_ONCE(s->bytes, bytes);
	return bytes >= cutoff;
}

/* Every event counts for the device and for its cache. */
static void account_read(struct bch_req *req, bool hit)
{
	struct bch_stats *ds = READ_ONCE(req->d->stats);
	struct bch_stats *cs = bch_cache_stats(req->a->c);
	unsigned int sectors = req->iter.bi_size >> SECTOR_SHIFT;

	if (ds)
		bch_stats_account(ds, hit, req->bypass, sectors);
	if (cs)
		bch_stats_account(cs, hit, req->bypass, sectors);
}

/* The user's bio, remapped by read_uncached(), completed. */
static void read_uncached_endio(struct bio *bio)
{
	struct bch_req *req = bio->bi_private;

	bio->bi_end_io = req->end_io;
	bio->bi_private = req->private;
	bio->bi_bdev = req->bdev;
	bch_req_acct_end(req);
	bch_req_free(req);
	bio_endio(bio);
}

/*
 * Give up on the cache for this read: remap the user's bio. A request that
 * accounts it stays, without its binding, until the bio completed.
 */
static void read_uncached(struct bch_req *req)
{
	struct bcache_dev *d = req->d;
	struct bio *bio = req->orig;

	if (!req->acct) {
		bch_req_free(req);
		remap(d, bio);
		return;
	}
	if (req->a) {
		bch_att_put(req->a);
		req->a = NULL;
	}
	req->end_io = bio->bi_end_io;
	req->private = bio->bi_private;
	req->bdev = bio->bi_bdev;
	bio->bi_end_io = read_uncached_endio;
	bio->bi_private = req;
	remap(d, bio);
}

/* ---- read hits ------------------------------------------------------------ */

static void read_retry_work(struct work_struct *work)
{
	struct bch_req *req = container_of(work, struct bch_req, work);

	/* A remapped bio comes back advanced and maybe failed. */
	req->orig->bi_iter = req->iter;
	req->orig->bi_status = BLK_STS_OK;
	if (req->ssd_status)
		bch_cache_io_error(req->a->c,
				   blk_status_to_errno(req->ssd_status));
	read_uncached(req);
}

static void read_hits_done(struct bch_req *req)
{
	bool retry = req->ssd_status;
	struct bio *bio = req->orig;
	unsigned int i;

	for (i = 0; i < req->nr && !retry; i++)
		retry = !bch_cache_ptr_valid(req->a->c, &req->hits[i]);
	if (retry) {
		INIT_WORK(&req->work, read_retry_work);
		queue_work(bch_io_wq, &req->work);
		return;
	}
	bch_req_acct_end(req);
	bch_req_free(req);
	bio_endio(bio);
}

static void read_hit_endio(struct bio *clone)
{
	struct bch_req *req = clone->bi_private;

	if (clone->bi_status)
		WRITE_ONCE(req->ssd_status, clone->bi_status);
	bio_put(clone);
	if (atomic_dec_and_test(&req->remaining))
		read_hits_done(req);
}

/* The user's bio itself was read from the SSD: give it back, then check. */
static void read_hit_remapped_endio(struct bio *bio)
{
	struct bch_req *req = bio->bi_private;

	bio->bi_end_io = req->end_io;
	bio->bi_private = req->private;
	/* Not bio_set_dev(): no blkg; the next submitter sets its own. */
	bio->bi_bdev = req->bdev;
	if (bio->bi_status)
		WRITE_ONCE(req->ssd_status, bio->bi_status);
	read_hits_done(req);
}

/* The pieces must tile the read exactly; anything else is not a hit. */
static bool hits_tile(struct bch_req *req)
{
	u64 next = req->iter.bi_sector;
	unsigned int i;

	for (i = 0; i < req->nr; i++) {
		if (req->hits[i].sector != next || !req->hits[i].sectors)
			return false;
		next += req->hits[i].sectors;
	}
	return next == bio_end_sector(req->orig);
}

static void read_hits(struct bch_req *req, bool may_block)
{
	struct block_device *ssd = bch_cache_bdev(req->a->c);
	/* Several allocations: never wait for the pool in submit_bio. */
	gfp_t gfp = may_block ? GFP_NOIO : GFP_NOWAIT | __GFP_NOWARN;
	struct bio *clones[BCH_MAX_PIECES];
	unsigned int nr = req->nr, i;

	if (!hits_tile(req)) {
		pr_err_ratelimited("bcache%d: bad lookup result, reading the backing device\n",
				   req->d->idx);
		read_uncached(req);
		return;
	}
	if (nr == 1) {
		struct bio *bio = req->orig;

		req->end_io = bio->bi_end_io;
		req->private = bio->bi_private;
		req->bdev = bio->bi_bdev;
		bio->bi_end_io = read_hit_remapped_endio;
		bio->bi_private = req;
		bio->bi_opf &= ~REQ_NOWAIT;
		bio_set_dev(bio, ssd);
		bio->bi_iter.bi_sector = req->hits[0].cache_sector;
		submit_bio_noacct(bio);
		return;
	}
	for (i = 0; i < nr; i++) {
		const struct bch_hit *h = &req->hits[i];
		struct bio *clone;

		clone = bio_alloc_clone(ssd, req->orig, gfp, &bch_clone_bs);
		if (!clone)
			goto err_put;
		bio_trim(clone, h->sector - req->iter.bi_sector, h->sectors);
		clone->bi_iter.bi_sector = h->cache_sector;
		clone->bi_opf &= ~REQ_NOWAIT;
		clone->bi_end_io = read_hit_endio;
		clone->bi_private = req;
		clones[i] = clone;
	}
	/* The last completion frees @req: only locals from here on. */
	atomic_set(&req->remaining, nr);
	for (i = 0; i < nr; i++)
		submit_bio_noacct(clones[i]);
	return;

err_put:
	while (i--)
		bio_put(clones[i]);
	read_uncached(req);
}

/* ---- read misses and fills ------------------------------------------------ */

static void fill_free(struct bch_req *req)
{
	struct bvec_iter_all iter;
	struct bio_vec *bv;

	if (!req->fill)
		return;
	bio_for_each_segment_all(bv, req->fill, iter)
		__free_page(bv->bv_page);
	bio_uninit(req->fill);
	kfree(req->fill);
	req->fill = NULL;
	atomic_long_sub(req->iter.bi_size, &bch_fill_bytes);
}

/* Copy what the backing device returned; never blocks. */
static bool fill_copy(struct bch_req *req)
{
	unsigned int bytes = req->iter.bi_size, nr, i;
	struct bvec_iter src = req->iter, dst;
	struct bio *fill;

	if (atomic_long_add_return(bytes, &bch_fill_bytes) > BCH_FILL_BUDGET) {
		atomic_long_sub(bytes, &bch_fill_bytes);
		return false;
	}
	nr = DIV_ROUND_UP(bytes, PAGE_SIZE);
	fill = bio_kmalloc(nr, GFP_NOWAIT | __GFP_NOWARN);
	if (!fill) {
		atomic_long_sub(bytes, &bch_fill_bytes);
		return false;
	}
	bio_init(fill, NULL, fill->bi_inline_vecs, nr, REQ_OP_WRITE);
	req->fill = fill;
	for (i = 0; i < nr; i++) {
		struct page *page = alloc_page(GFP_NOWAIT | __GFP_NOWARN);

		if (!page) {
			fill_free(req);
			return false;
		}
		__bio_add_page(fill, page, min_t(unsigned int, bytes, PAGE_SIZE),
			       0);
		bytes -= PAGE_SIZE;
	}
	dst = fill->bi_iter;
	bio_copy_data_iter(fill, &dst, req->orig, &src);
	return true;
}

/* Write the copy to the SSD, grant by grant, and insert it. */
static void fill_work(struct work_struct *work)
{
	struct bch_req *req = container_of(work, struct bch_req, work);
	struct cache_set *c = req->a->c;
	struct block_device *ssd = bch_cache_bdev(c);
	u32 sectors = req->iter.bi_size >> SECTOR_SHIFT, done = 0;
	int ret;

	while (done < sectors && bch_range_check(&req->range)) {
		struct bch_space sp;
		struct bio *clone;

		if (bch_cache_alloc(c, sectors - done, &sp, true))
			break;
		/* A grant is never longer than asked; be safe anyway. */
		sp.sectors = min(sp.sectors, sectors - done);
		clone = bio_alloc_clone(ssd, req->fill, GFP_NOIO, &bch_clone_bs);
		bio_trim(clone, done, sp.sectors);
		clone->bi_iter.bi_sector = sp.cache_sector;
		/* Fault injection drops cache writes once "power failed". */
		ret = bch_writes_frozen() ? 0 : submit_bio_wait(clone);
		bio_put(clone);
		if (ret) {
			bch_cache_io_error(c, ret);
			bch_cache_alloc_done(c, &sp);
			break;
		}
		ret = bch_cache_insert(c, req->a->dev_id,
				       req->iter.bi_sector + done, &sp,
				       bch_range_check, &req->range);
		bch_cache_alloc_done(c, &sp);
		if (ret < 0) {
			bch_dev_cache_broken(req->a);
			break;
		}
		done += sp.sectors;
	}
	fill_free(req);
	bch_req_free(req);
}

static void read_miss_endio(struct bio *clone)
{
	struct bch_req *req = clone->bi_private;
	struct bio *bio = req->orig;

	bio->bi_status = clone->bi_status;
	if (unlikely(bio->bi_status))
		atomic_inc(&req->d->io_errors);
	bio_put(clone);
	bch_req_acct_end(req);
	if (!bio->bi_status && fill_copy(req)) {
		INIT_WORK(&req->work, fill_work);
		queue_work(bch_fill_wq, &req->work);
	} else {
		bch_req_free(req);
	}
	/* The user never waits for the SSD write. */
	bio_endio(bio);
}

static void read_miss(struct bch_req *req, bool may_block)
{
	struct bio *clone;

	if (req->bypass || req->iter.bi_size > BCH_FILL_MAX ||
	    atomic_long_read(&bch_fill_bytes) > BCH_FILL_BUDGET) {
		read_uncached(req);
		return;
	}
	clone = bio_alloc_clone(req->d->bdev, req->orig,
				may_block ? GFP_NOIO : bio_gfp(req->orig),
				&bch_clone_bs);
	if (!clone) {
		read_uncached(req);
		return;
	}
	/* Before the backing read: a later write must invalidate the fill. */
	bch_range_add(&req->d->ranges, &req->range, req->iter.bi_sector,
		      req->iter.bi_size >> SECTOR_SHIFT, false);
	clone->bi_end_io = read_miss_endio;
	clone->bi_private = req;
	submit_bio_noacct(clone);
}

/* ---- read routing ----------------------------------------------------------- */

/*
 * Keep the first @sectors of the user's bio in @req, chained to the rest,
 * which goes back through bch_submit_bio() (after this one returns: it is
 * queued on current->bio_list, or we are in a worker).
 */
static bool read_split(struct bch_req *req, unsigned int sectors,
		       bool may_block)
{
	gfp_t gfp = may_block ? GFP_NOIO : GFP_NOWAIT | __GFP_NOWARN;
	struct bio *bio = req->orig, *split;

	/* Both halves must still be whole logical blocks of the device. */
	if (!IS_ALIGNED(sectors << SECTOR_SHIFT,
			bdev_logical_block_size(bio->bi_bdev)))
		return false;
	if (req->acct) {
		/* The rest must carry the accounting back: a clone does. */
		bio = acct_clone(bio, req->acct_start, gfp);
		if (!bio)
			return false;
		req->orig = bio;
		req->acct = false;
	}
	split = bio_split(bio, sectors, gfp, &bch_split_bs);
	if (!split)
		return false;
	bio_chain(split, bio);
	submit_bio_noacct(bio);
	req->orig = split;
	req->iter = split->bi_iter;
	return true;
}

static void read_lookup(struct bch_req *req, bool may_block);

static void read_punt_work(struct work_struct *work)
{
	read_lookup(container_of(work, struct bch_req, work), true);
}

static void read_lookup(struct bch_req *req, bool may_block)
{
	struct bch_attach *a = req->a;
	int ret;

again:
	ret = bch_cache_lookup(a->c, a->dev_id, req->iter.bi_sector,
			       req->iter.bi_size >> SECTOR_SHIFT, req->hits,
			       req->max, may_block);
	if (ret == -EAGAIN && !may_block) {
		INIT_WORK(&req->work, read_punt_work);
		queue_work(bch_io_wq, &req->work);
		return;
	}
	if (ret < 0) {
		bch_dev_cache_broken(a);
		read_uncached(req);
		return;
	}
	if (ret > 0) {
		const struct bch_hit *last;
		u64 end;

		req->nr = min_t(unsigned int, ret, req->max);
		last = &req->hits[req->nr - 1];
		end = last->sector + last->sectors;
		/* A cached prefix: the request was full. */
		if (end < bio_end_sector(req->orig)) {
			if (bch_req_grow(req))
				goto again;	/* with room for more */
			if (!read_split(req, end - req->iter.bi_sector,
					may_block)) {
				account_read(req, false);
				read_uncached(req);
				return;
			}
		}
		account_read(req, true);
		read_hits(req, may_block);
	} else {
		account_read(req, false);
		read_miss(req, may_block);
	}
}

static void read_submit(struct bcache_dev *d, struct bio *bio, bool acct)
{
	struct bch_attach *a = bch_att_get(d);
	struct bch_req *req;

	if (!a)
		goto remap;
	/* Pairs with smp_store_release() in dev_attach_finish(). */
	if (!smp_load_acquire(&a->ready) || READ_ONCE(a->broken) ||
	    READ_ONCE(d->cache_mode) == BCH_MODE_NONE || !bio_sectors(bio))
		goto put;
	req = bch_req_alloc(d, a, bio);
	if (!req) {
		bch_att_put(a);
		bio_wouldblock_error(bio);
		return;
	}
	if (acct)
		bch_req_acct_start(req);
	req->bypass = bch_seq_bypass(d, bio);
	if (!bch_req_aligned(req)) {
		/* The SSD cannot address it: count it as bypassed. */
		req->bypass = true;
		account_read(req, false);
		read_uncached(req);
		return;
	}
	read_lookup(req, false);
	return;

put:
	bch_att_put(a);
remap:
	if (acct) {
		bio = bch_acct_wrap(bio);
		if (!bio)
			return;
	}
	remap(d, bio);
}

/**
 * bch_submit_bio() - submit_bio of /dev/bcacheN.
 * @bio: the bio
 *
 * Context: submit_bio context.
 */
void bch_submit_bio(struct bio *bio)
{
	struct bcache_dev *d = bio->bi_bdev->bd_disk->private_data;
	bool acct = bio_sectors(bio) && blk_queue_io_stat(d->disk->queue) &&
		!acct_carried(bio);

	if (op_is_write(bio_op(bio))) {
		bch_write(d, bio, acct);
	} else if (bio_op(bio) == REQ_OP_READ) {
		read_submit(d, bio, acct);
	} else {
		if (acct) {
			bio = bch_acct_wrap(bio);
			if (!bio)
				return;
		}
		remap(d, bio);
	}
}

/* ---- init / exit ------------------------------------------------------------- */

/**
 * bch_request_init() - create the pools and workqueues of the I/O path.
 *
 * Context: process context (module load).
 * Return: 0 or a negative errno.
 */
int bch_request_init(void)
{
	int ret;

	bch_req_cache = KMEM_CACHE(bch_req, 0);
	if (!bch_req_cache)
		return -ENOMEM;
	ret = mempool_init_slab_pool(&bch_req_pool, BCH_REQ_POOL,
				     bch_req_cache);
	if (ret)
		goto err_cache;
	BUILD_BUG_ON(sizeof(struct bch_space) > sizeof(struct bch_hit));
	ret = mempool_init_kmalloc_pool(&bch_pieces_pool, BCH_PIECES_POOL,
					BCH_MAX_PIECES *
					sizeof(struct bch_hit));
	if (ret)
		goto err_pool;
	ret = bioset_init(&bch_clone_bs, BCH_CLONE_POOL, 0, 0);
	if (ret)
		goto err_pieces;
	ret = bioset_init(&bch_split_bs, BCH_REQ_POOL, 0, 0);
	if (ret)
		goto err_bs;
	ret = bioset_init(&bch_acct_bs, BCH_REQ_POOL,
			  offsetof(struct bch_acct, clone), 0);
	if (ret)
		goto err_split_bs;
	ret = -ENOMEM;
	bch_io_wq = alloc_workqueue("bcache_io", WQ_MEM_RECLAIM, 0);
	if (!bch_io_wq)
		goto err_acct_bs;
	bch_fill_wq = alloc_workqueue("bcache_fill",
				      WQ_MEM_RECLAIM | WQ_UNBOUND, 0);
	if (!bch_fill_wq)
		goto err_io_wq;
	return 0;

err_io_wq:
	destroy_workqueue(bch_io_wq);
err_acct_bs:
	bioset_exit(&bch_acct_bs);
err_split_bs:
	bioset_exit(&bch_split_bs);
err_bs:
	bioset_exit(&bch_clone_bs);
err_pieces:
	mempool_exit(&bch_pieces_pool);
err_pool:
	mempool_exit(&bch_req_pool);
err_cache:
	kmem_cache_destroy(bch_req_cache);
	return ret;
}

/**
 * bch_request_exit() - free what bch_request_init() created.
 *
 * Context: process context (module unload); no request is in flight.
 */
void bch_request_exit(void)
{
	destroy_workqueue(bch_fill_wq);
	destroy_workqueue(bch_io_wq);
	bioset_exit(&bch_acct_bs);
	bioset_exit(&bch_split_bs);
	bioset_exit(&bch_clone_bs);
	mempool_exit(&bch_pieces_pool);
	mempool_exit(&bch_req_pool);
	kmem_cache_destroy(bch_req_cache);
}
