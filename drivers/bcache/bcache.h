/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bcache: a persistent SSD cache in front of a slow block device.
 *
 * Design
 * ======
 *
 * Two halves meet in this header:
 *
 * - The *front end* (dev.c, request.c, range.c, stats.c, dev_sysfs.c) owns
 *   the backing devices. register_dev opens a backing device exclusively and
 *   creates the bio-based /dev/bcacheN over it, with the same size, data and
 *   queue limits. With no cache it is a plain passthrough. It routes every
 *   bio: a read that the cache fully covers is remapped to the SSD; anything
 *   else goes to the backing device, and what it read or wrote may be
 *   inserted into the cache afterwards.
 *
 * - The *engine* (cache.c, btree*.c, alloc.c, journal.c, gc.c, meta_io.c,
 *   cache_sysfs.c) owns a cache device: the buckets, their 8-bit
 *   generations and priorities, the btree of cached extents, the journal and
 *   garbage collection. It never sees user bios; it answers lookups, hands
 *   out space and records extents, all through the API below.
 *
 * On-disk structures are defined once, in include/bcache/ondisk.h, and
 * validated before use by drivers/bcache/ondisk.c (shared with the tools).
 *
 * Correctness rules the two halves share
 * --------------------------------------
 * 1. A read hit re-checks, after the SSD read completes, that the bucket's
 *    generation still matches the pointer (bch_cache_ptr_valid()). Buckets
 *    are reclaimed by bumping the generation *before* they are rewritten,
 *    so a mismatch means the data may be gone: the read is retried from the
 *    backing device. No bucket pinning is needed on the hit path.
 * 2. Stale fills: a read miss or a write that wants to insert data into the
 *    cache registers its range with the device's range tracker (range.c)
 *    *before* the backing I/O is issued. Any write to an overlapping range
 *    marks it invalid. The engine calls the insert's check callback under the
 *    leaf lock, right before inserting, so "checked valid" and "inserted"
 *    are atomic with respect to a later write's invalidation.
 * 3. Before a write is issued to the backing device, the cached range is
 *    invalidated in memory (bch_cache_invalidate()). The invalidation, and
 *    any earlier one of the same leaves not yet durable (a concurrent write
 *    may have removed the keys first), must be durable (journal) before the
 *    backing write is issued; when there is none there is no SSD round trip.
 * 4. A flush (REQ_PREFLUSH) first makes every invalidation done so far
 *    durable (bch_cache_flush_async()), then goes to the backing device.
 *    Inserted keys need not be: losing one after a crash only loses a
 *    cached copy.
 * 5. The engine writes cached data before the key that points at it is
 *    journaled (journal writes carry REQ_PREFLUSH), and persists a bucket's
 *    new generation before it writes anything new into the bucket.
 *
 * Locking
 * -------
 * bch_register_lock (a mutex) serialises registration, attach, detach and
 * teardown; it is never taken on the I/O path. The hit path takes only
 * per-node read locks in the engine, and no lock at all in the front end.
 * Nothing on the I/O path allocates without a mempool or bio_set.
 */
#ifndef BCACHE_H
#define BCACHE_H

#include <linux/blkdev.h>
#include <linux/kobject.h>
#include <linux/mutex.h>
#include <linux/types.h>

#include <bcache/ondisk.h>

struct cache_set;
struct bcache_dev;

/* Serialises registration and teardown of caches and backing devices. */
extern struct mutex bch_register_lock;

/* ---- cache modes (front end) ---------------------------------------- */

enum bch_cache_mode {
	BCH_MODE_WRITETHROUGH,
	BCH_MODE_WRITEAROUND,
	BCH_MODE_NONE,
	BCH_MODE_NR,
};

/* ---- statistics (stats.c, front end) ----------------------------------- */

/*
 * Counters for one backing device or one cache (the sum over its devices),
 * exported as stats_total/, stats_five_minute/, stats_hour/ and stats_day/.
 * Updates are per-CPU and lock-free.
 */
struct bch_stats;

struct bch_stats *bch_stats_create(struct kobject *parent);
void bch_stats_destroy(struct bch_stats *s);
void bch_stats_clear(struct bch_stats *s);

/* One accounting event: a read hit or miss, bypassed or not. */
void bch_stats_account(struct bch_stats *s, bool hit, bool bypass,
		       unsigned int sectors);

/* ---- engine API: cache lifecycle ------------------------------------- */

/**
 * bch_cache_register() - register a cache device (register_cache).
 * @path: path of a block device formatted by make-bcache
 *
 * Opens @path exclusively, validates the superblock and every metadata
 * structure it loads, replays the journal, creates
 * /sys/kernel/bcache/<name>/, and finally calls bch_devs_cache_added() so
 * waiting backing devices attach.
 *
 * Context: process context; takes bch_register_lock.
 * Return: 0, or a negative errno after a one-line pr_err() naming the cause.
 */
int bch_cache_register(const char *path);

/**
 * bch_cache_owns_bdev() - is @bdev the device of a registered cache?
 * @bdev: block device
 *
 * Context: bch_register_lock held.
 * Return: true if @bdev is in use as a cache device.
 */
bool bch_cache_owns_bdev(struct block_device *bdev);

/**
 * bch_cache_for_uuid() - choose the cache for a backing device.
 * @uuid: the backing device's uuid
 * @dev_id: set to the device id (uuid table slot) on success
 *
 * Picks the registered cache whose uuid table already knows @uuid, else the
 * first registered cache with a free slot, and claims the slot (state
 * ATTACHED, written to the uuid table before returning). See
 * bch_cache_attach_check() for what happens to previously cached data.
 *
 * Context: process context, bch_register_lock held; may block for I/O.
 * Return: a referenced cache (drop with bch_cache_put()), or NULL.
 */
struct cache_set *bch_cache_for_uuid(const u8 *uuid, u8 *dev_id);

/**
 * bch_cache_attach_check() - decide whether a device's cached data is valid.
 * @c: cache
 * @dev_id: device id
 * @sectors: current size of the backing device
 * @fp_csum: bch_fingerprint() of the first @fp_len bytes of the device
 * @fp_len: bytes fingerprinted
 *
 * If the uuid entry was stopped cleanly (CLEAN) and its size and fingerprint
 * differ from the device's now, the device was written behind the cache's
 * back: all of its cached data is invalidated. An entry left ATTACHED by a
 * crash keeps its data (the journal made it consistent). Marks the entry
 * ATTACHED.
 *
 * Context: process context, bch_register_lock held; may block for I/O.
 * Return: 0 or a negative errno.
 */
int bch_cache_attach_check(struct cache_set *c, u8 dev_id, u64 sectors,
			   u32 fp_csum, u32 fp_len);

/**
 * bch_cache_detach_dev() - a backing device stops using the cache.
 * @c: cache
 * @dev_id: device id
 * @keep: true on a clean stop/unregister (keep the data, mark the entry
 *	CLEAN with @fp_csum/@fp_len); false on "detach" (invalidate all of the
 *	device's cached data and free the slot)
 * @fp_csum: fingerprint taken after the last write reached the device
 * @fp_len: bytes fingerprinted
 *
 * The front end calls this after it stopped issuing cache I/O for the device
 * and waited for what was in flight.
 *
 * Context: process context, bch_register_lock held; may block for I/O.
 */
void bch_cache_detach_dev(struct cache_set *c, u8 dev_id, bool keep,
			  u32 fp_csum, u32 fp_len);

void bch_cache_backing_add(struct cache_set *c, u8 dev_id,
			   struct block_device *bdev);
void bch_cache_backing_remove(struct cache_set *c, u8 dev_id);
void bch_cache_backing_written(struct cache_set *c, u8 dev_id);
u64 bch_cache_backing_wseq(struct cache_set *c, u8 dev_id);
void bch_cache_backing_flushed(struct cache_set *c, u8 dev_id, u64 wseq);

void bch_cache_get(struct cache_set *c);
void bch_cache_put(struct cache_set *c);

/* Name of the cache device ("vdb"), for /sys/block/bcacheN/bcache/cache. */
const char *bch_cache_name(struct cache_set *c);

/* The SSD, for remapping hits and writing fills. */
struct block_device *bch_cache_bdev(struct cache_set *c);

/* The cache's aggregated statistics (the sum over its devices). */
struct bch_stats *bch_cache_stats(struct cache_set *c);

/* ---- engine API: the I/O path ---------------------------------------- */

/* One piece of a cached range. */
struct bch_hit {
	u64	sector;		/* on the backing device */
	u32	sectors;
	u8	gen;
	u64	cache_sector;	/* on the cache device */
};

/**
 * bch_cache_lookup() - look up a range for a read.
 * @c: cache
 * @dev_id: device id
 * @sector: first sector on the backing device
 * @sectors: length
 * @hits: filled with the pieces, in order
 * @max_hits: room in @hits
 * @may_block: false in submit_bio context: return -EAGAIN instead of
 *	reading a btree node that is not in memory
 *
 * Stale pointers count as not cached. Bumps the priority of every bucket it
 * returns (LRU).
 *
 * Context: process context; takes node read locks only.
 * Return: the number of pieces if the whole range is cached, or if its
 * first @max_hits pieces are (they then tile only a prefix of the range);
 * 0 if any part before that is not (a miss or partial hit); -EAGAIN (see
 * @may_block); another negative errno if the cache failed.
 */
int bch_cache_lookup(struct cache_set *c, u8 dev_id, u64 sector, u32 sectors,
		     struct bch_hit *hits, unsigned int max_hits,
		     bool may_block);

/* After the SSD read of @h completed: was the data still valid? */
bool bch_cache_ptr_valid(struct cache_set *c, const struct bch_hit *h);

/* Space in the cache for a fill or a writethrough copy. */
struct bch_space {
	u64	cache_sector;
	u32	sectors;
	u8	gen;
};

/**
 * bch_cache_alloc() - reserve contiguous cache space.
 * @c: cache
 * @sectors: wanted; the grant may be shorter (it never crosses a bucket)
 * @sp: the grant
 * @may_block: wait for the allocator if no space is ready
 *
 * The bucket cannot be reclaimed until bch_cache_alloc_done(). Fails fast
 * (-ENOSPC) rather than wait when @may_block is false.
 *
 * Return: 0 or a negative errno.
 */
int bch_cache_alloc(struct cache_set *c, u32 sectors, struct bch_space *sp,
		    bool may_block);

/* The write into @sp finished (or failed): release the bucket. */
void bch_cache_alloc_done(struct cache_set *c, const struct bch_space *sp);

/**
 * bch_cache_insert() - record that backing range [sector, +sp->sectors)
 * now lives at @sp.
 * @c: cache
 * @dev_id: device id
 * @sector: first backing sector
 * @sp: where the data was written (the SSD write has completed)
 * @check: called under the leaf lock right before the insert; the insert
 *	happens only if it returns true (range tracker, rule 2). May be NULL.
 * @arg: argument of @check
 *
 * The key is journaled lazily; it becomes durable with the next journal
 * write, at most BCH_JOURNAL_DELAY_MS later.
 *
 * Context: process context (a workqueue); may block.
 * Return: 1 inserted, 0 skipped by @check, or a negative errno.
 */
int bch_cache_insert(struct cache_set *c, u8 dev_id, u64 sector,
		     const struct bch_space *sp,
		     bool (*check)(void *arg), void *arg);

/**
 * bch_cache_invalidate() - drop a backing range from the cache.
 * @c: cache
 * @dev_id: device id
 * @sector: first backing sector
 * @sectors: length (any size; split internally)
 * @jseq: set to the journal sequence number that makes this invalidation,
 *	and every earlier one of the leaves it visited, durable; 0 if none
 * @may_block: false in submit_bio context
 *
 * Unless @jseq is 0 the caller must wait for it
 * (bch_cache_journal_wait_async(), immediate once durable) before writing
 * the backing device: a concurrent write may have removed the keys just
 * before, and its invalidation is not durable yet.
 *
 * Context: process context.
 * Return: 1 if cached data was removed, 0 if nothing was cached there,
 * -EAGAIN if !@may_block and it would block, or another negative errno.
 */
int bch_cache_invalidate(struct cache_set *c, u8 dev_id, u64 sector,
			 u64 sectors, u64 *jseq, bool may_block);

/* A callback run when the journal is durable up to a sequence number. */
struct bch_jwait {
	struct list_head	list;
	u64			seq;
	int			err;	/* 0, or the journal write's error */
	void			(*fn)(struct bch_jwait *w);
};

/**
 * bch_cache_journal_wait_async() - call @w->fn once @seq is durable.
 * @c: cache
 * @seq: journal sequence number from bch_cache_invalidate()
 * @w: caller-owned; @w->fn runs in process context (maybe immediately)
 */
void bch_cache_journal_wait_async(struct cache_set *c, u64 seq,
				  struct bch_jwait *w);

/**
 * bch_cache_flush_async() - make every invalidation so far durable, then
 * call @w->fn (REQ_PREFLUSH handling).
 * @c: cache
 * @w: caller-owned; @w->fn runs in process context (maybe immediately)
 */
void bch_cache_flush_async(struct cache_set *c, struct bch_jwait *w);

/*
 * Count an I/O error on the cache device (front end: hits and fills). Past
 * the cache's io_error_limit the cache is disabled: every device detaches
 * from it, dropping its cached data, and continues in passthrough.
 */
void bch_cache_io_error(struct cache_set *c, int err);

/*
 * Fault injection (module parameter fault_stop): the power "failed", so
 * writes to the cache and backing devices complete without being issued.
 */
bool bch_writes_frozen(void);

/* ---- front end API, called by the engine ----------------------------- */

/*
 * A cache appeared: attach every registered backing device it should serve.
 * Context: bch_register_lock held.
 */
void bch_devs_cache_added(struct cache_set *c);

/*
 * A cache is going away: every device using it stops issuing cache I/O,
 * waits for what is in flight, calls bch_cache_detach_dev() and continues
 * in passthrough. On unregister (@failed false) the devices keep their
 * cached data; when the cache failed they drop it, and drop it again when
 * they next attach to it (its on-disk state may not know what they wrote).
 * Context: bch_register_lock held; may block.
 */
void bch_devs_cache_removing(struct cache_set *c, bool failed);

/* ---- front end lifecycle (dev.c) -------------------------------------- */

int bch_dev_register(const char *buf, size_t len);	/* register_dev */
int bch_front_init(void);
void bch_front_exit(void);

/* ---- engine lifecycle (cache.c) --------------------------------------- */

int bch_engine_init(struct kobject *bcache_kobj);
void bch_engine_exit(void);

#endif /* BCACHE_H */
