/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bcache engine: private structures of a cache set.
 *
 * Design summary (details at the top of each .c file)
 * ===================================================
 *
 * Buckets (alloc.c). Every bucket has an in-memory struct bch_bucket: the
 * 8-bit gen and 16-bit LRU prio persisted in the prio pages, its type, the
 * sectors GC found in use and a lower bound of the gens of the pointers
 * into it (oldest_gen). Reclaim (a kthread) picks the least recently used
 * data buckets, bumps their gens, writes the prio pages (FUA), optionally
 * discards them, and only then hands them out through a free fifo. Btree
 * nodes come from a small reserve whose buckets are typed BTREE on disk
 * before a node is written into them. A bucket is reclaimed only while
 * gen - oldest_gen stays <= BCH_GEN_MAX_DISTANCE; GC advances oldest_gen.
 *
 * Btree (btree*.c). A node is one bucket holding a log of bsets. In memory
 * a node keeps its live keys as one sorted array (leaf: non-overlapping
 * extents, holes dropped; interior: child pointers) plus, for leaves, a
 * sorted array of the keys inserted since the last write (holes kept): the
 * next bset. Lookups take node read locks only; inserts take the leaf's
 * write lock. Every write of a node happens under c->btree_write_lock
 * (never taken on the hit path): appending a bset, or replacing the node
 * copy-on-write (compaction, split, repair of a bad node).
 *
 * Journal (journal.c). Leaf inserts and holes are appended to an open
 * entry, which is written (PREFLUSH|FUA) by a worker: at once when someone
 * waits, else after a short delay. One write serves all waiters. Dirty
 * leaves pin the oldest entry holding their unwritten keys; last_seq is the
 * oldest pinned entry.
 *
 * API note: the engine does not change the shared API header.
 */
#ifndef BCACHE_CACHE_H
#define BCACHE_CACHE_H

#include <linux/atomic.h>
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/kobject.h>
#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/shrinker.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <bcache/ondisk.h>

struct bch_stats;

/* ---- tunables ------------------------------------------------------------ */

#define BCH_NODE_KEYS_MAX	1024U	/* live keys per node (memmove bound) */
#define BCH_PENDING_MAX		512U	/* keys per appended leaf bset */
#define BCH_PENDING_MIN		64U	/* first pending array of a leaf */
#define BCH_JSET_BYTES_MAX	32768U	/* a journal entry, header included */
#define BCH_JPIN_NR		256U	/* journal entries in flight (pow2) */
#define BCH_BTREE_RESERVE	8U	/* buckets kept ready for nodes */
#define BCH_GEN_GC_WANT		64U	/* gen distance that triggers GC */
#define BCH_GEN_ASSUME		96U	/* assumed distance at registration */
#define BCH_JOURNAL_DELAY_MS	20U	/* lazy journal write delay */
#define BCH_FLUSH_AGE_MS	5000U	/* write dirty leaves after this */
#define BCH_IO_ERROR_LIMIT	16U	/* default io_error_limit */

/* ---- buckets ------------------------------------------------------------- */

/* bch_bucket.flags */
enum {
	BCH_BF_FREE_LIST	= BIT(0),	/* in a free fifo or reserve */
	BCH_BF_OPEN		= BIT(1),	/* the open data bucket */
	BCH_BF_FREEING		= BIT(2),	/* dead node, freed after journal */
	BCH_BF_NEW		= BIT(3),	/* allocated while GC ran */
	BCH_BF_PRIO_DIRTY	= BIT(4),
	BCH_BF_KNOWN		= BIT(5),	/* written or read since registration */
};

struct bch_bucket {
	u32		sectors_used;	/* live data, recomputed by GC */
	atomic_t	pin;		/* grants with writes outstanding */
	u16		prio;		/* LRU clock of the last hit */
	u8		gen;
	u8		type;		/* enum bch_bucket_type */
	u8		oldest_gen;	/* no pointer is older than this */
	u8		flags;		/* BCH_BF_*, under alloc_lock */
	u8		reg_gen;	/* gen when the cache was registered */
};

/* A fifo of bucket numbers. */
struct bch_fifo {
	u64		*data;
	u32		size;		/* power of two */
	u32		front, back;
};

struct bch_alloc {
	spinlock_t	lock;		/* buckets' gen/type/flags, fifos */
	struct bch_fifo	free;		/* data buckets, gens persisted */
	struct bch_fifo	btree;		/* btree reserve, typed BTREE */
	u64		open;		/* open data bucket, or U64_MAX */
	u32		open_off;	/* sectors used in it */
	u16		clock;		/* LRU clock */
	u32		clock_ticks;
	u32		batch;		/* buckets per reclaim pass */
	struct mutex	prio_lock;	/* prio page writes */
	u8		*prio_slot;	/* per page: slot of the newest copy */
	u64		*prio_seq;	/* per page: its seq */
	struct bch_prio_page *prio_buf;
	struct task_struct *thread;
	wait_queue_head_t wait;		/* free space / thread wakeup */
	bool		wake;
	u64		prio_writes;	/* batches written: jset prio_seq */
	atomic_t	stuck;		/* reclaim found nothing */
};

/* ---- journal ------------------------------------------------------------- */

struct bch_jbuf {
	struct bch_jset	*j;
	u32		nkeys;
	bool		ptrs;		/* holds a key pointing at data */
	u64		seq;
	struct list_head waiters;
};

struct bch_journal {
	spinlock_t	lock;		/* everything below, pins excepted */
	struct bch_jbuf	buf[2];
	unsigned int	cur;		/* the open entry */
	bool		writing;	/* buf[cur ^ 1] is being written */
	bool		root_dirty;	/* root changed since the last entry */
	bool		clean;		/* next entry: clean shutdown */
	bool		stopped;
	int		err;		/* a write failed: nothing is durable */
	u64		replay_last;	/* replayed entries still needed, or 0 */
	u32		reserved;	/* keys promised to inserters */
	u64		durable_seq;
	u64		hole_seq;	/* newest entry holding a hole */
	u64		last_seq;	/* of the newest written entry */
	u64		pin_front;	/* oldest possibly pinned seq */
	atomic_t	pins[BCH_JPIN_NR];
	struct bch_key	root;
	u32		root_level;
	u32		idx;		/* current journal bucket */
	u32		off;		/* sectors used in it */
	u64		*bucket_seq;	/* newest seq in each bucket */
	wait_queue_head_t wait;
	struct work_struct write_work;
	struct delayed_work delay_work;
	u32		buf_bytes;
	u32		keys_max;	/* keys per entry */
};

/* ---- the cache set ----------------------------------------------------- */

struct btree;

struct cache_set {
	struct kobject	kobj;
	struct list_head list;		/* bch_caches, bch_register_lock */
	struct block_device *bdev;
	char		name[BDEVNAME_SIZE];
	u8		set_uuid[BCH_UUID_LEN];
	struct bch_sb	*sb;		/* as read; rewritten for flags */
	struct bch_geom	g;
	struct bch_stats *stats;
	unsigned long	state;		/* BCH_CACHE_* bits */
	struct work_struct fail_work;
	bool		registered;	/* sysfs and list set up */
	bool		stopping;
	bool		discard;

	struct bio_set	bio_set;

	/* buckets */
	struct bch_bucket *buckets;
	struct bch_alloc alloc;
	unsigned long	*gc_mark;	/* btree buckets seen by GC */
	u32		*gc_sectors;	/* live sectors GC counted */
	u8		*gc_gen;	/* gens when GC started */
	u8		*gc_dist;	/* oldest pointer: distance from gc_gen */

	/* uuid table */
	struct mutex	uuid_lock;
	struct bch_uuid_set *uuids;
	unsigned int	uuid_slot;
	u64		uuid_seq;

	/* btree */
	struct btree __rcu *root;
	struct mutex	btree_write_lock;	/* every node write */
	spinlock_t	node_lock;		/* hash, lists */
	struct hlist_head *node_hash;
	u32		node_hash_bits;
	struct list_head node_lru;
	struct list_head dirty_list;
	u32		nr_nodes;
	u32		leaf_max;		/* live keys per node */
	u32		pending_max;
	void		*wbuf;			/* node write buffer */
	u32		wbuf_bytes;
	struct shrinker	shrinker;
	bool		shrinker_on;
	struct delayed_work flush_work;
	u64		flush_upto;		/* write nodes pinning <= this */
	wait_queue_head_t flush_wait;
	atomic_t	bad_nodes;
	atomic_t	future_ptrs;		/* pointers newer than their bucket */

	struct bch_journal journal;

	/* attached backing devices, flushed before their keys are durable */
	struct mutex	backing_lock;		/* backing[]; held to flush */
	struct block_device *backing[BCH_UUID_ENTRIES];
	/* per device: writes completed, and how many a flush covered */
	atomic64_t	backing_written[BCH_UUID_ENTRIES];
	atomic64_t	backing_flushed[BCH_UUID_ENTRIES];

	/* gc */
	struct task_struct *gc_thread;
	bool		gc_want;
	bool		gc_running;
	wait_queue_head_t gc_wait;
	unsigned long	gc_last;
	atomic64_t	written_since_gc;	/* sectors, reset at each kick */
	u32		gc_runs;
	u32		btree_depth;

	/*
	 * Node flushes and journal writes run here: the engine's one
	 * WQ_MEM_RECLAIM workqueue, shared by every cache so that a cache
	 * does not cost a rescuer thread of its own. NULL until cache_load()
	 * got that far, so teardown knows what to cancel.
	 */
	struct workqueue_struct *wq;

	/* counters */
	atomic64_t	written_sectors;
	atomic64_t	meta_written_sectors;
	atomic_t	io_errors;
	u32		io_error_limit;		/* 0: never disable */
};

/* cache_set.state */
enum {
	BCH_CACHE_FAILED,	/* disabled by errors: no more writes */
};

static inline bool bch_cache_failed(const struct cache_set *c)
{
	return test_bit(BCH_CACHE_FAILED, &c->state);
}

/* ---- fifo helpers ------------------------------------------------------ */

static inline u32 bch_fifo_used(const struct bch_fifo *f)
{
	return f->back - f->front;
}

static inline bool bch_fifo_full(const struct bch_fifo *f)
{
	return bch_fifo_used(f) == f->size;
}

static inline void bch_fifo_push(struct bch_fifo *f, u64 v)
{
	f->data[f->back++ & (f->size - 1)] = v;
}

static inline u64 bch_fifo_pop(struct bch_fifo *f)
{
	return f->data[f->front++ & (f->size - 1)];
}

static inline u64 bch_bucket_nr(const struct cache_set *c, u64 sector)
{
	return sector / c->g.bucket_sectors;
}

static inline struct bch_bucket *bch_ptr_bucket(struct cache_set *c,
						const struct bch_key *k)
{
	return &c->buckets[bch_bucket_nr(c, bch_ptr_sector(k))];
}

/*
 * A pointer newer than its bucket's gen at registration: damage, as a gen
 * is durable before anything is written into its bucket (btree_read.c).
 */
static inline bool bch_ptr_from_future(const struct cache_set *c,
				       const struct bch_key *k)
{
	u64 b = bch_bucket_nr(c, bch_ptr_sector(k));

	return bch_ptr_is_ptr(k) && b < c->g.nbuckets &&
	       bch_gen_after(bch_ptr_gen(k), c->buckets[b].reg_gen);
}

/* The hole covering the range of @k. */
static inline struct bch_key bch_key_as_hole(const struct bch_key *k)
{
	return bch_key_hole(bch_key_dev(k), bch_key_start(k), bch_ptr_size(k));
}

/* ---- meta_io.c ---------------------------------------------------------- */

void *bch_meta_buf_alloc(size_t bytes);
int bch_meta_rw(struct cache_set *c, u64 sector, void *buf, size_t bytes,
		blk_opf_t opf);
int bch_meta_write_failed(struct cache_set *c, u64 sector, void *buf,
			  size_t bytes, blk_opf_t opf);
void bch_meta_error(struct cache_set *c, const char *what, u64 sector,
		    int err);

/* ---- alloc.c ------------------------------------------------------------- */

int bch_alloc_init(struct cache_set *c);
int bch_alloc_start(struct cache_set *c);
void bch_alloc_stop(struct cache_set *c);
void bch_alloc_exit(struct cache_set *c);
int bch_prio_read(struct cache_set *c);
int bch_prio_write(struct cache_set *c);
int bch_btree_bucket_alloc(struct cache_set *c, bool may_block, u64 *bucket,
			   u8 *gen);
void bch_btree_bucket_free(struct cache_set *c, u64 bucket);
void bch_bucket_poison(struct cache_set *c, const struct bch_key *k);
void bch_bucket_hit(struct cache_set *c, u64 bucket);
void bch_alloc_wake(struct cache_set *c);
u64 bch_buckets_free(struct cache_set *c);
u64 bch_buckets_used(struct cache_set *c);

/* ---- journal.c ----------------------------------------------------------- */

int bch_journal_init(struct cache_set *c);
void bch_journal_exit(struct cache_set *c);
int bch_journal_replay(struct cache_set *c, bool *fresh);
int bch_journal_reserve(struct cache_set *c, u32 n, bool may_block);
void bch_journal_unreserve(struct cache_set *c, u32 n);
u64 bch_journal_add(struct cache_set *c, const struct bch_key *k,
		    u64 *pin);
void bch_journal_unpin(struct cache_set *c, u64 seq);
void bch_journal_set_root(struct cache_set *c, const struct bch_key *k,
			  u32 level);
u64 bch_journal_open_seq(struct cache_set *c);

/* backing.c */
void bch_backing_flush(struct cache_set *c);
int bch_journal_flush(struct cache_set *c);
int bch_journal_write_clean(struct cache_set *c);
void bch_journal_kick(struct cache_set *c);
void bch_journal_replay_done(struct cache_set *c);

/* ---- gc.c ---------------------------------------------------------------- */

int bch_gc_start(struct cache_set *c);
void bch_gc_stop(struct cache_set *c);
void bch_gc_kick(struct cache_set *c);

/* ---- cache_sysfs.c ----------------------------------------------------- */

extern const struct attribute_group *bch_cache_groups[];

/* ---- cache.c ------------------------------------------------------------- */

extern struct list_head bch_caches;
extern const struct kobj_type bch_cache_ktype;
void bch_cache_unregister(struct cache_set *c);
void bch_cache_fail(struct cache_set *c, const char *why);
int bch_cache_set_discard(struct cache_set *c, bool on);

#endif /* BCACHE_CACHE_H */
