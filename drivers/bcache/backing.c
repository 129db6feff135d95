// SPDX-License-Identifier: GPL-2.0
/*
 * bcache engine: flushing the backing devices before their keys are
 * durable.
 *
 * In writethrough mode the cache may only ever hold what the backing device
 * holds. A write completes on the backing device when the data is in its
 * volatile write cache; a read miss may fill the cache with such data too.
 * If the key that points at the cached copy became durable (a journal
 * entry, or a leaf's bset) before that data did, a power failure would
 * leave the cache with data the backing device never got, and reads would
 * change the day the cached copy is evicted.
 *
 * So every backing write that completes for an attached device is counted,
 * and the engine flushes every device with writes no flush has covered
 * before it writes a journal entry or a leaf bset with keys. The count is
 * taken at completion, before the write's key is inserted, and read before
 * the keys to be written are taken, so no key can get ahead of its data.
 *
 * A flush covers the writes that completed before it was issued. The front
 * end's own flushes (a user's REQ_PREFLUSH, an fsync) read the count when
 * they are issued and report it when they succeed
 * (bch_cache_backing_flushed()), so an fsync'd workload does not pay a
 * second flush of the backing device for every journal write.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/blkdev.h>

#include "bcache.h"
#include "cache.h"

/**
 * bch_cache_backing_add() - a backing device starts using the cache
 * @c: cache
 * @dev_id: its device id
 * @bdev: the backing device
 *
 * Counted unflushed at once: writes made before the attach may still be in
 * its volatile cache when the first read miss copies them.
 *
 * Context: process context, bch_register_lock held.
 */
void bch_cache_backing_add(struct cache_set *c, u8 dev_id,
			   struct block_device *bdev)
{
	mutex_lock(&c->backing_lock);
	c->backing[dev_id] = bdev;
	atomic64_set(&c->backing_flushed[dev_id], 0);
	atomic64_set(&c->backing_written[dev_id], 1);
	mutex_unlock(&c->backing_lock);
}

/**
 * bch_cache_backing_remove() - a backing device stopped using the cache
 * @c: cache
 * @dev_id: its device id
 *
 * Waits for a flush of the device in progress.
 *
 * Context: process context, bch_register_lock held.
 */
void bch_cache_backing_remove(struct cache_set *c, u8 dev_id)
{
	mutex_lock(&c->backing_lock);
	c->backing[dev_id] = NULL;
	mutex_unlock(&c->backing_lock);
}

/**
 * bch_cache_backing_written() - a write to a backing device completed
 * @c: cache
 * @dev_id: its device id
 *
 * Context: any, typically bio completion.
 */
void bch_cache_backing_written(struct cache_set *c, u8 dev_id)
{
	atomic64_inc(&c->backing_written[dev_id]);
}

/**
 * bch_cache_backing_wseq() - what a flush issued now will cover
 * @c: cache
 * @dev_id: its device id
 *
 * Context: any; read right before the flush is submitted.
 * Return: the count of completed writes, for bch_cache_backing_flushed().
 */
u64 bch_cache_backing_wseq(struct cache_set *c, u8 dev_id)
{
	return atomic64_read(&c->backing_written[dev_id]);
}

/**
 * bch_cache_backing_flushed() - a flush of a backing device succeeded
 * @c: cache
 * @dev_id: its device id
 * @wseq: bch_cache_backing_wseq() read before the flush was issued
 *
 * Context: any, typically bio completion.
 */
void bch_cache_backing_flushed(struct cache_set *c, u8 dev_id, u64 wseq)
{
	atomic64_t *f = &c->backing_flushed[dev_id];
	s64 old = atomic64_read(f);

	while (old < (s64)wseq && !atomic64_try_cmpxchg(f, &old, wseq))
		;
}

/**
 * bch_backing_flush() - flush every backing device written since its last
 * flush
 * @c: cache
 *
 * Called before a journal entry or a leaf bset with keys is written. A
 * failed flush is counted on the cache and reported; the metadata write
 * goes ahead (the backing device reports the error to its own users).
 *
 * Context: process context; may block for I/O.
 */
void bch_backing_flush(struct cache_set *c)
{
	u64 wseq;
	u32 i;
	int ret;

	mutex_lock(&c->backing_lock);
	for (i = 0; i < BCH_UUID_ENTRIES; i++) {
		if (!c->backing[i])
			continue;
		wseq = bch_cache_backing_wseq(c, i);
		if (atomic64_read(&c->backing_flushed[i]) >= wseq)
			continue;
		ret = blkdev_issue_flush(c->backing[i]);
		if (ret)
			pr_err_ratelimited("%s: cannot flush backing device %pg (%d)\n",
					   c->name, c->backing[i], ret);
		else
			bch_cache_backing_flushed(c, i, wseq);
	}
	mutex_unlock(&c->backing_lock);
}
