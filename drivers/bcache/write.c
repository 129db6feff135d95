// SPDX-License-Identifier: GPL-2.0
/*
 * bcache: the write path (writes, discards, write-zeroes, flushes).
 *
 * While a cache is attached, in every cache mode, a write:
 *
 * 1. registers its range with the range tracker (invalidating overlapping
 *    fills and inserts, rule 2);
 * 2. invalidates the range in the cache (bch_cache_invalidate(), from a
 *    worker if it would block); if that removed anything, the backing write
 *    waits until the invalidation is durable (rule 3);
 * 3. with REQ_PREFLUSH, first makes the journal durable (rule 4);
 * 4. writes the backing device, and in writethrough mode a copy to the SSD
 *    (a clone sharing the user's pages) into space reserved without
 *    blocking; the user's bio completes when both finished;
 * 5. inserts the copy from a worker if the backing write succeeded and the
 *    range is still valid.
 *
 * Without a binding a write is a "passthrough write": one clone to the
 * backing device holding bcache_dev.pt_ref (see dev.h for why).
 *
 * Copyright (C) 2026 The bcache authors.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/workqueue.h>

#include "dev.h"

/* Largest writethrough copy; larger writes are only invalidated. */
#define BCH_COPY_MAX		SZ_1M

static void write_remap(struct bcache_dev *d, struct bio *bio)
{
	bio_set_dev(bio, d->bdev);
	submit_bio_noacct(bio);
}

/*
 * Fault injection (fault_stop): once the "power failed", writes to either
 * device complete without reaching it, so what the devices hold is what a
 * crash at that instant would have left.
 */
static void submit_frozen(struct bio *bio)
{
	if (unlikely(bch_writes_frozen()))
		bio_endio(bio);
	else
		submit_bio_noacct(bio);
}

/* ---- passthrough writes ---------------------------------------------------- */

static void pt_endio(struct bio *clone)
{
	struct bio *bio = clone->bi_private;
	struct bcache_dev *d = bio->bi_bdev->bd_disk->private_data;

	bio->bi_status = clone->bi_status;
	if (unlikely(bio->bi_status))
		atomic_inc(&d->io_errors);
	bio_put(clone);
	percpu_ref_put(&d->pt_ref);
	bio_endio(bio);
}

/* Called with a pt_ref reference. */
static void pt_write(struct bcache_dev *d, struct bio *bio, bool acct)
{
	struct bio *clone;

	if (acct) {
		bio = bch_acct_wrap(bio);
		if (!bio) {
			percpu_ref_put(&d->pt_ref);
			return;
		}
	}
	if (!bio_sectors(bio)) {
		/* An empty flush changes no data. */
		percpu_ref_put(&d->pt_ref);
		write_remap(d, bio);
		return;
	}
	if (!READ_ONCE(d->written))
		WRITE_ONCE(d->written, true);
	clone = bio_alloc_clone(d->bdev, bio,
				bio->bi_opf & REQ_NOWAIT ? GFP_NOWAIT : GFP_NOIO,
				&bch_clone_bs);
	if (!clone) {
		percpu_ref_put(&d->pt_ref);
		bio_wouldblock_error(bio);
		return;
	}
	clone->bi_end_io = pt_endio;
	clone->bi_private = bio;
	submit_frozen(clone);
}

/* ---- cached writes: completion ---------------------------------------------- */

static void write_insert_work(struct work_struct *work)
{
	struct bch_req *req = container_of(work, struct bch_req, work);
	struct cache_set *c = req->a->c;
	bool insert = req->copy && !req->status && !req->ssd_status;
	u64 sector = req->iter.bi_sector;
	unsigned int i;

	if (req->ssd_status)
		bch_cache_io_error(c, blk_status_to_errno(req->ssd_status));
	for (i = 0; i < req->nr; i++) {
		if (insert &&
		    bch_cache_insert(c, req->a->dev_id, sector, &req->sp[i],
				     bch_range_check, &req->range) < 0) {
			bch_dev_cache_broken(req->a);
			insert = false;
		}
		bch_cache_alloc_done(c, &req->sp[i]);
		sector += req->sp[i].sectors;
	}
	bch_req_free(req);
}

static void write_put(struct bch_req *req)
{
	struct bio *bio = req->orig;

	if (!atomic_dec_and_test(&req->remaining))
		return;
	bio->bi_status = req->status;
	bch_req_acct_end(req);
	if (req->nr) {
		/* Grants to insert or release: process context. */
		INIT_WORK(&req->work, write_insert_work);
		queue_work(bch_io_wq, &req->work);
	} else {
		bch_req_free(req);
	}
	bio_endio(bio);
}

static void write_backing_endio(struct bio *clone)
{
	struct bch_req *req = clone->bi_private;
	struct bch_attach *a = req->a;

	req->status = clone->bi_status;
	if (unlikely(req->status)) {
		atomic_inc(&req->d->io_errors);
	} else {
		if (clone->bi_opf & REQ_PREFLUSH)
			bch_cache_backing_flushed(a->c, a->dev_id, req->wseq);
		bch_cache_backing_written(a->c, a->dev_id);
	}
	bio_put(clone);
	write_put(req);
}

static void write_ssd_endio(struct bio *clone)
{
	struct bch_req *req = clone->bi_private;

	if (clone->bi_status)
		WRITE_ONCE(req->ssd_status, clone->bi_status);
	bio_put(clone);
	write_put(req);
}

/* ---- cached writes: issue ----------------------------------------------------- */

/*
 * Reserve SSD space without blocking and clone the user's bio into it.
 * Whatever was reserved stays in req->sp[] for write_insert_work().
 */
static unsigned int write_copy_prepare(struct bch_req *req,
				       struct bio **clones)
{
	struct cache_set *c = req->a->c;
	struct block_device *ssd = bch_cache_bdev(c);
	u32 sectors = req->iter.bi_size >> SECTOR_SHIFT, done = 0;
	unsigned int i;

	while (done < sectors) {
		struct bch_space *sp;

		if (req->nr == req->max && !bch_req_grow(req))
			break;
		sp = &req->sp[req->nr];
		if (bch_cache_alloc(c, sectors - done, sp, false))
			break;
		/* A grant is never longer than asked; be safe anyway. */
		sp->sectors = min(sp->sectors, sectors - done);
		done += sp->sectors;
		req->nr++;
	}
	if (done < sectors)
		goto err;

	done = 0;
	for (i = 0; i < req->nr; i++) {
		struct bio *clone;

		clone = bio_alloc_clone(ssd, req->orig,
					GFP_NOWAIT | __GFP_NOWARN,
					&bch_clone_bs);
		if (!clone)
			goto err_put;
		bio_trim(clone, done, req->sp[i].sectors);
		clone->bi_iter.bi_sector = req->sp[i].cache_sector;
		/* The copy needs no ordering: its key is journaled later. */
		clone->bi_opf = REQ_OP_WRITE |
			(req->orig->bi_opf & (REQ_SYNC | REQ_META | REQ_PRIO));
		clone->bi_end_io = write_ssd_endio;
		clone->bi_private = req;
		clones[i] = clone;
		done += req->sp[i].sectors;
	}
	return req->nr;

err_put:
	while (i--)
		bio_put(clones[i]);
err:
	req->copy = false;
	return 0;
}

static void write_issue(struct bch_req *req)
{
	struct bio *clones[BCH_MAX_PIECES];
	unsigned int nr = 0, i;

	if (req->copy)
		nr = write_copy_prepare(req, clones);
	atomic_set(&req->remaining, nr + 2);	/* + backing + this function */
	for (i = 0; i < nr; i++)
		submit_frozen(clones[i]);
	req->wseq = bch_cache_backing_wseq(req->a->c, req->a->dev_id);
	submit_frozen(req->clone);
	write_put(req);
}

static void write_jwait_done(struct bch_jwait *w)
{
	struct bch_req *req = container_of(w, struct bch_req, jw);

	if (w->err) {
		bch_dev_cache_broken(req->a);
		req->copy = false;
	}
	write_issue(req);
}

static void write_invalidate(struct bch_req *req, bool may_block);

static void write_punt_work(struct work_struct *work)
{
	write_invalidate(container_of(work, struct bch_req, work), true);
}

static void write_invalidate(struct bch_req *req, bool may_block)
{
	struct bch_attach *a = req->a;
	u64 seq = 0;
	int ret;

	ret = bch_cache_invalidate(a->c, a->dev_id, req->iter.bi_sector,
				   req->iter.bi_size >> SECTOR_SHIFT, &seq,
				   may_block);
	if (ret == -EAGAIN && !may_block) {
		INIT_WORK(&req->work, write_punt_work);
		queue_work(bch_io_wq, &req->work);
		return;
	}
	if (ret < 0) {
		/* Reads stop using the cache; the device detaches. */
		bch_dev_cache_broken(a);
		req->copy = false;
	}

	req->jw.fn = write_jwait_done;
	if (req->orig->bi_opf & REQ_PREFLUSH)
		bch_cache_flush_async(a->c, &req->jw);	/* covers @seq */
	else if (seq)
		bch_cache_journal_wait_async(a->c, seq, &req->jw);
	else
		write_issue(req);
}

/* ---- cached writes: entry ------------------------------------------------------ */

/*
 * An empty flush reaches the backing device through a clone, so that its
 * success tells backing.c which writes it made durable.
 */
static void flush_endio(struct bio *clone)
{
	struct bch_req *req = clone->bi_private;
	struct bio *bio = req->orig;

	bio->bi_status = clone->bi_status;
	if (unlikely(bio->bi_status))
		atomic_inc(&req->d->io_errors);
	else
		bch_cache_backing_flushed(req->a->c, req->a->dev_id,
					  req->wseq);
	bio_put(clone);
	bch_req_free(req);
	bio_endio(bio);
}

static void flush_done(struct bch_jwait *w)
{
	struct bch_req *req = container_of(w, struct bch_req, jw);

	if (w->err)
		bch_dev_cache_broken(req->a);
	req->wseq = bch_cache_backing_wseq(req->a->c, req->a->dev_id);
	submit_bio_noacct(req->clone);
}

/* Called with a reference on @a. */
static void cached_write(struct bcache_dev *d, struct bch_attach *a,
			 struct bio *bio, bool acct)
{
	bool data = bio_op(bio) == REQ_OP_WRITE;
	bool bypass = false, ready;
	struct bch_stats *s;
	struct bch_req *req;

	/* The request before the clone, as reads take them. */
	req = bch_req_alloc(d, a, bio);
	if (!req)
		goto err_put;
	req->clone = bio_alloc_clone(d->bdev, bio,
				     bio->bi_opf & REQ_NOWAIT ? GFP_NOWAIT : GFP_NOIO,
				     &bch_clone_bs);
	if (!req->clone)
		goto err_free;
	/* write_put() ends it (an empty flush has no sectors: no accounting). */
	if (acct)
		bch_req_acct_start(req);
	req->clone->bi_private = req;
	if (!bio_sectors(bio)) {
		/* An empty flush: the journal first, then the backing device. */
		req->clone->bi_end_io = flush_endio;
		req->jw.fn = flush_done;
		bch_cache_flush_async(a->c, &req->jw);
		return;
	}
	req->clone->bi_end_io = write_backing_endio;

	if (data && bch_seq_bypass(d, bio)) {
		bypass = true;
		s = READ_ONCE(d->stats);
		if (s)
			bch_stats_bypassed(s, bio_sectors(bio));
		s = bch_cache_stats(a->c);
		if (s)
			bch_stats_bypassed(s, bio_sectors(bio));
	}
	/* Pairs with smp_store_release() in dev_attach_finish(). */
	ready = smp_load_acquire(&a->ready);
	req->copy = data && !bypass && ready && !READ_ONCE(a->broken) &&
		READ_ONCE(d->cache_mode) == BCH_MODE_WRITETHROUGH &&
		req->iter.bi_size <= BCH_COPY_MAX && bch_req_aligned(req);

	bch_range_add(&d->ranges, &req->range, req->iter.bi_sector,
		      bio_sectors(bio), true);
	if (!bch_range_check(&req->range))
		req->copy = false;	/* an overlapping write is in flight */
	write_invalidate(req, false);
	return;

err_free:
	bch_req_free(req);
	bio_wouldblock_error(bio);
	return;
err_put:
	bch_att_put(a);
	bio_wouldblock_error(bio);
}

/**
 * bch_write() - route a write, discard, write-zeroes or flush.
 * @d: device
 * @bio: the user's bio
 * @acct: account @bio in the block layer's statistics
 *
 * Context: submit_bio context.
 */
void bch_write(struct bcache_dev *d, struct bio *bio, bool acct)
{
	struct bch_attach *a;

	/*
	 * Attach publishes the binding before it kills pt_ref; detach revives
	 * pt_ref before it unpublishes the binding. One of the two is always
	 * live, but a writer may need a second look to see which.
	 */
	for (;;) {
		rcu_read_lock();
		a = rcu_dereference(d->att);
		if (a && percpu_ref_tryget_live(&a->ref)) {
			rcu_read_unlock();
			cached_write(d, a, bio, acct);
			return;
		}
		if (percpu_ref_tryget_live(&d->pt_ref)) {
			rcu_read_unlock();
			pt_write(d, bio, acct);
			return;
		}
		rcu_read_unlock();
		/* Pairs with the smp_mb() of attach and detach. */
		smp_rmb();
		cpu_relax();
	}
}
