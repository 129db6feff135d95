/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bcache engine: the btree of cached extents.
 *
 * Keys are ordered by their raw 64-bit value (device id << 56 | start), so
 * a leaf extent [start, start + size) is the raw interval [raw, raw + size)
 * and never crosses into another device. A node covers the raw range
 * [lo, hi) given by its parent; an extent that crosses a node boundary is
 * split into one key per leaf. Nodes are copy-on-write at the bucket level:
 * a node's range never changes; a replaced node is marked DEAD and every
 * walker that finds a DEAD node restarts from the root.
 */
#ifndef BCACHE_BTREE_H
#define BCACHE_BTREE_H

#include "cache.h"

/* A sorted array of keys. */
struct bch_keys {
	struct bch_key	*k;
	u32		nr;
	u32		cap;
};

/* struct btree.flags */
enum {
	BTREE_LOADED,		/* read from disk (or created) */
	BTREE_BAD,		/* failed to read: range reads as uncached */
	BTREE_DEAD,		/* replaced; walkers restart */
	BTREE_REWRITE,		/* the log cannot be appended to any more */
	BTREE_SCRUB,		/* the log holds dropped pointers: replace */
	BTREE_DIRTY,		/* on c->dirty_list */
};

struct btree {
	struct hlist_node hash;
	struct list_head lru;
	struct list_head dirty;
	struct rcu_head	rcu;
	atomic_t	ref;		/* users; -1 once being freed */
	struct rw_semaphore lock;
	unsigned long	flags;
	u64		bucket;
	u64		node_seq;
	u64		lo, hi;		/* raw key range [lo, hi) */
	u8		level;
	u8		gen;		/* gen of the bucket, from the pointer */
	u32		woff;		/* sectors of the log written */
	u32		nbsets;
	u64		pin_seq;	/* journal pin of pending keys */
	u64		hole_seq;	/* leaves: newest entry with a hole here */
	unsigned long	dirty_since;
	struct bch_keys	live;
	struct bch_keys	pending;	/* leaves: the next bset */
};

/* The raw end of a key, saturated at U64_MAX. */
static inline u64 bch_kend(const struct bch_key *k)
{
	u64 s = bch_key_raw(k), e = s + bch_ptr_size(k);

	return e < s ? U64_MAX : e;
}

static inline struct bch_key bch_key_raw_make(u64 raw, u32 size, u64 sector,
					      u8 gen, bool ptr)
{
	return bch_key_make((u8)(raw >> BCH_KEY_DEV_SHIFT),
			    raw & BCH_KEY_START_MASK, size, sector, gen, ptr,
			    false);
}

/* ---- btree_keys.c: pure key-array operations ---------------------------- */

u32 bch_keys_search(const struct bch_keys *a, u64 pos);
u32 bch_keys_child(const struct bch_keys *a, u64 pos);
int bch_keys_insert_extent(struct bch_keys *a, const struct bch_key *k,
			   bool keep_hole);
int bch_keys_insert_ptr(struct bch_keys *a, const struct bch_key *k);
u32 bch_keys_overlaps(const struct bch_keys *a, u64 start, u64 end);

/* ---- btree.c: the node cache and the walks ------------------------------ */

int bch_btree_init(struct cache_set *c);
void bch_btree_exit(struct cache_set *c);
struct btree *bch_node_alloc(struct cache_set *c, u8 level);
void bch_node_free(struct btree *n);
int bch_node_pending_reserve(struct cache_set *c, struct btree *n, u32 live,
			     u32 pend, bool may_block);
void bch_node_pending_release(struct btree *n);
void bch_node_put(struct cache_set *c, struct btree *n);
void bch_node_put_scanned(struct cache_set *c, struct btree *n);
struct btree *bch_root_get(struct cache_set *c);
void bch_node_hash_add(struct cache_set *c, struct btree *n);
void bch_node_kill(struct cache_set *c, struct btree *n);
void bch_node_mark_dirty(struct cache_set *c, struct btree *n);
int bch_btree_find(struct cache_set *c, u64 pos, u8 level, bool write,
		   bool may_block, struct btree **out);
int bch_btree_find_visit(struct cache_set *c, u64 pos, u8 level, bool write,
			 bool may_block, struct btree **out,
			 void (*visit)(struct cache_set *c, struct btree *n,
				       void *arg), void *arg);
int bch_btree_insert_key(struct cache_set *c, const struct bch_key *k,
			 bool replay, bool (*check)(void *arg), void *arg);

/* ---- btree_io.c: reading, writing, replacing nodes ---------------------- */

int bch_node_read(struct cache_set *c, struct btree *n);
void bch_btree_scrub(struct cache_set *c);
int bch_node_write(struct cache_set *c, struct btree *n);
int bch_node_replace(struct cache_set *c, struct btree *n, bool may_block);
int bch_btree_new_root(struct cache_set *c);
int bch_btree_open_root(struct cache_set *c, const struct bch_key *k,
			u32 level);
int bch_btree_flush(struct cache_set *c, u64 upto, bool all);
void bch_btree_flush_kick(struct cache_set *c, u64 upto);
void bch_btree_flush_init(struct cache_set *c);
void bch_btree_flush_start(struct cache_set *c);

#endif /* BCACHE_BTREE_H */
