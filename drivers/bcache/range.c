// SPDX-License-Identifier: GPL-2.0
/*
 * bcache: the range tracker of a backing device (bcache.h, rule 2).
 *
 * Every read fill and every write registers the backing range it covers
 * before its backing I/O is issued, and unregisters it after its insert (if
 * any) is done. Registering a write marks every overlapping entry invalid:
 * a fill that read the old data, or an earlier write whose order on the
 * backing device is now unknown, must not be inserted. Registering any entry
 * while an overlapping write is in flight marks the new entry invalid for
 * the same reasons. bch_range_check() is the check callback of
 * bch_cache_insert(): the engine calls it under the leaf lock, so a write
 * that registers after a successful check is issued after the insert and
 * its bch_cache_invalidate() removes what was inserted.
 *
 * Entries live in an interval tree under a per-device spinlock. Only misses
 * and writes take it; read hits never do.
 *
 * Copyright (C) 2026 The bcache authors.
 */

#include <linux/interval_tree.h>
#include <linux/spinlock.h>

#include "dev.h"

/**
 * bch_ranges_init() - initialise an empty range tracker.
 * @t: tracker
 */
void bch_ranges_init(struct bch_ranges *t)
{
	spin_lock_init(&t->lock);
	t->root = RB_ROOT_CACHED;
}

/**
 * bch_range_add() - register an in-flight fill or write.
 * @t: the device's tracker
 * @r: caller-owned entry, unregistered with bch_range_del()
 * @sector: first backing sector
 * @sectors: length, at least 1
 * @write: true for a write (or discard), false for a read fill
 *
 * Context: any context.
 */
void bch_range_add(struct bch_ranges *t, struct bch_range *r, u64 sector,
		   u64 sectors, bool write)
{
	struct interval_tree_node *n;
	unsigned long flags;
	u64 last = sector + sectors - 1;

	r->t = t;
	r->write = write;
	r->valid = true;
	r->node.start = sector;
	r->node.last = last;

	spin_lock_irqsave(&t->lock, flags);
	for (n = interval_tree_iter_first(&t->root, sector, last); n;
	     n = interval_tree_iter_next(n, sector, last)) {
		struct bch_range *o = container_of(n, struct bch_range, node);

		if (write)
			o->valid = false;
		if (o->write)
			r->valid = false;
	}
	interval_tree_insert(&r->node, &t->root);
	r->added = true;
	spin_unlock_irqrestore(&t->lock, flags);
}

/**
 * bch_range_del() - unregister an entry; a no-op if it was never added.
 * @r: entry
 *
 * Context: any context.
 */
void bch_range_del(struct bch_range *r)
{
	struct bch_ranges *t = r->t;
	unsigned long flags;

	if (!r->added)
		return;
	spin_lock_irqsave(&t->lock, flags);
	interval_tree_remove(&r->node, &t->root);
	spin_unlock_irqrestore(&t->lock, flags);
	r->added = false;
}

/**
 * bch_range_check() - may the data of an entry still be inserted?
 * @arg: the struct bch_range
 *
 * The check callback of bch_cache_insert().
 *
 * Context: any context (the engine holds a leaf lock).
 * Return: true if no overlapping write registered since the entry did.
 */
bool bch_range_check(void *arg)
{
	struct bch_range *r = arg;
	unsigned long flags;
	bool valid;

	spin_lock_irqsave(&r->t->lock, flags);
	valid = r->valid;
	spin_unlock_irqrestore(&r->t->lock, flags);
	return valid;
}
