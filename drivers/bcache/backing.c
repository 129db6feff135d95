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
 * So every backing write that completes for an attached device marks the
 * device unflushed, and the engine flushes every unflushed device before
 * it writes a journal entry or a leaf bset with keys. The mark is set at
 * completion, before the write's key is inserted, and cleared only after
 * the keys to be written are taken, so no key can get ahead of its data.
 * One flush covers every write that completed before it: a busy device is
 * flushed once per journal write, not once per write.
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
 * Marked unflushed at once: writes made before the attach may still be in
 * its volatile cache when the first read miss copies them.
 *
 * Context: process context, bch_register_lock held.
 */
void bch_cache_backing_add(struct cache_set *c, u8 dev_id,
			   struct block_device *bdev)
{
	mutex_lock(&c->backing_lock);
	c->backing[dev_id] = bdev;
	set_bit(dev_id, c->backing_unflushed);
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
	clear_bit(dev_id, c->backing_unflushed);
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
	if (!test_bit(dev_id, c->backing_unflushed))
		set_bit(dev_id, c->backing_unflushed);
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
	u32 i;
	int ret;

	if (bitmap_empty(c->backing_unflushed, BCH_UUID_ENTRIES))
		return;
	mutex_lock(&c->backing_lock);
	for_each_set_bit(i, c->backing_unflushed, BCH_UUID_ENTRIES) {
		if (!test_and_clear_bit(i, c->backing_unflushed) ||
		    !c->backing[i])
			continue;
		ret = blkdev_issue_flush(c->backing[i]);
		if (ret)
			pr_err_ratelimited("%s: cannot flush backing device %pg (%d)\n",
					   c->name, c->backing[i], ret);
	}
	mutex_unlock(&c->backing_lock);
}
