// SPDX-License-Identifier: GPL-2.0
/*
 * bcache engine: the btree node cache and the lookup/insert/invalidate
 * walks.
 *
 * Nodes live in a hash table keyed by bucket, found under RCU and pinned
 * by a reference count; the cache set itself holds a reference on the
 * root. A walk reads the child pointer under the parent's read lock, drops
 * it, takes the child (reading it from disk if needed) and locks it; a
 * child found DEAD (replaced meanwhile) or not matching the pointer makes
 * the walk restart from the root. No walker ever holds two node locks, so
 * there is no lock order between nodes. The only other lock on these paths
 * is the journal's spinlock, taken inside a leaf lock.
 *
 * Memory: nodes are evicted by a shrinker when unused, clean, readable and
 * not the root; a second-chance bit stands in for an LRU so that the hit
 * path takes no global lock. Whole-tree scans (GC, the registration scrub)
 * do not set that bit, and free the clean nodes that only they used as
 * soon as they are done with them (drop-behind).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hash.h>
#include <linux/log2.h>
#include <linux/rculist.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "bcache.h"
#include "btree.h"

#define MAX_RESTARTS	64

enum { BTREE_ACCESSED = BTREE_DIRTY + 1 };

static u32 node_hash(const struct cache_set *c, u64 bucket)
{
	return hash_64(bucket, c->node_hash_bits);
}

/**
 * bch_node_alloc() - allocate an empty, unhashed node
 * @c: cache set
 * @level: 0 for a leaf
 *
 * Context: process context; allocates as GFP_NOIO.
 * Return: the node with one reference, or NULL.
 */
struct btree *bch_node_alloc(struct cache_set *c, u8 level)
{
	unsigned int noio = memalloc_noio_save();
	struct btree *n;

	n = kzalloc(sizeof(*n), GFP_KERNEL);
	if (!n)
		goto out;
	n->live.cap = c->leaf_max;
	n->live.k = kvmalloc_array(n->live.cap, sizeof(struct bch_key),
				   GFP_KERNEL);
	if (!n->live.k) {
		bch_node_free(n);
		n = NULL;
		goto out;
	}
	n->level = level;
	atomic_set(&n->ref, 1);
	init_rwsem(&n->lock);
	INIT_LIST_HEAD(&n->lru);
	INIT_LIST_HEAD(&n->dirty);
	INIT_HLIST_NODE(&n->hash);
out:
	memalloc_noio_restore(noio);
	return n;
}

/**
 * bch_node_pending_reserve() - make room for keys in a leaf's pending bset
 * @c: cache set
 * @n: the leaf, write-locked
 * @live: live keys the caller will add
 * @pend: pending keys the caller will add
 * @may_block: may sleep in the allocator
 *
 * The pending array exists only while a leaf has keys to write: it is
 * allocated on the first insert, grown by doubling and freed once its bset
 * is written, so the leaves of a full cache that are only read hold none.
 *
 * Return: 0; -ENOSPC if the leaf must be written out first; -ENOMEM, or
 * -EAGAIN if @may_block is false and memory is short.
 */
int bch_node_pending_reserve(struct cache_set *c, struct btree *n, u32 live,
			     u32 pend, bool may_block)
{
	u32 need = n->pending.nr + pend, cap;
	unsigned int noio;
	struct bch_key *k;

	lockdep_assert_held_write(&n->lock);
	if (n->live.nr + live > n->live.cap || need > c->pending_max)
		return -ENOSPC;
	if (need <= n->pending.cap)
		return 0;
	cap = max(n->pending.cap, BCH_PENDING_MIN);
	while (cap < need)
		cap *= 2;
	cap = min(cap, c->pending_max);
	if (may_block) {
		noio = memalloc_noio_save();
		k = kvmalloc_array(cap, sizeof(*k), GFP_KERNEL);
		memalloc_noio_restore(noio);
	} else {
		k = kmalloc_array(cap, sizeof(*k), GFP_NOWAIT | __GFP_NOWARN);
	}
	if (!k)
		return may_block ? -ENOMEM : -EAGAIN;
	if (n->pending.nr)
		memcpy(k, n->pending.k, n->pending.nr * sizeof(*k));
	kvfree(n->pending.k);
	n->pending.k = k;
	n->pending.cap = cap;
	return 0;
}

/**
 * bch_node_pending_release() - free a leaf's empty pending array
 * @n: the leaf, write-locked, its pending keys written or dropped
 */
void bch_node_pending_release(struct btree *n)
{
	lockdep_assert_held_write(&n->lock);
	WARN_ON_ONCE(n->pending.nr);
	kvfree(n->pending.k);
	n->pending.k = NULL;
	n->pending.cap = 0;
	n->pending.nr = 0;
}

/**
 * bch_node_free() - free a node nobody can reach any more
 * @n: the node (may be partly built)
 */
void bch_node_free(struct btree *n)
{
	kvfree(n->live.k);
	kvfree(n->pending.k);
	kfree(n);
}

static bool evictable(struct cache_set *c, struct btree *n)
{
	return test_bit(BTREE_LOADED, &n->flags) &&
	       !test_bit(BTREE_DIRTY, &n->flags) &&
	       !test_bit(BTREE_BAD, &n->flags) &&
	       rcu_access_pointer(c->root) != n;
}

static void node_free_rcu(struct rcu_head *h)
{
	bch_node_free(container_of(h, struct btree, rcu));
}

/* Evict @n, whose ref was just set to -1: unhash it and free it after RCU. */
static void node_evict(struct cache_set *c, struct btree *n)
{
	lockdep_assert_held(&c->node_lock);
	hlist_del_init_rcu(&n->hash);
	list_del_init(&n->lru);
	c->nr_nodes--;
	call_rcu(&n->rcu, node_free_rcu);
}

/**
 * bch_node_put() - drop a reference
 * @c: cache set
 * @n: the node; freed once it is DEAD and unreferenced
 */
void bch_node_put(struct cache_set *c, struct btree *n)
{
	if (atomic_dec_return(&n->ref) == 0 && test_bit(BTREE_DEAD, &n->flags) &&
	    atomic_cmpxchg(&n->ref, 0, -1) == 0)
		call_rcu(&n->rcu, node_free_rcu);
}

/**
 * bch_node_put_scanned() - drop a whole-tree scan's reference to a node
 * @c: cache set
 * @n: the node, unlocked
 *
 * Drop-behind: a node that nothing but the scan used since it was read (or
 * since the shrinker last looked) is freed at once, if it is clean, so a
 * GC pass or scrub holds one leaf at a time instead of the whole tree and
 * does not push out the nodes the hit path uses. Anyone who finds it
 * afterwards reads it again, as after the shrinker freed it.
 */
void bch_node_put_scanned(struct cache_set *c, struct btree *n)
{
	bool drop;

	spin_lock(&c->node_lock);
	drop = !test_bit(BTREE_ACCESSED, &n->flags) && evictable(c, n) &&
	       !hlist_unhashed(&n->hash) && atomic_cmpxchg(&n->ref, 1, -1) == 1;
	if (drop)
		node_evict(c, n);
	spin_unlock(&c->node_lock);
	if (!drop)
		bch_node_put(c, n);
}

/**
 * bch_root_get() - take a reference on the current root
 * @c: cache set
 *
 * Return: the root, or NULL if there is none.
 */
struct btree *bch_root_get(struct cache_set *c)
{
	struct btree *n;

	rcu_read_lock();
	do {
		n = rcu_dereference(c->root);
	} while (n && !atomic_inc_unless_negative(&n->ref));
	rcu_read_unlock();
	return n;
}

/**
 * bch_node_hash_add() - make a new node findable
 * @c: cache set
 * @n: node with its bucket set, not yet hashed
 */
void bch_node_hash_add(struct cache_set *c, struct btree *n)
{
	spin_lock(&c->node_lock);
	hlist_add_head_rcu(&n->hash, &c->node_hash[node_hash(c, n->bucket)]);
	list_add_tail(&n->lru, &c->node_lru);
	c->nr_nodes++;
	spin_unlock(&c->node_lock);
}

/**
 * bch_node_kill() - a node was replaced: unhash it and mark it DEAD
 * @c: cache set
 * @n: the node; the caller holds a reference and the node's write lock
 */
void bch_node_kill(struct cache_set *c, struct btree *n)
{
	set_bit(BTREE_DEAD, &n->flags);
	spin_lock(&c->node_lock);
	if (!hlist_unhashed(&n->hash)) {
		hlist_del_init_rcu(&n->hash);
		list_del_init(&n->lru);
		c->nr_nodes--;
	}
	if (test_and_clear_bit(BTREE_DIRTY, &n->flags))
		list_del_init(&n->dirty);
	spin_unlock(&c->node_lock);
}

/**
 * bch_node_mark_dirty() - put a node on the list the flusher writes
 * @c: cache set
 * @n: the node, write locked
 */
void bch_node_mark_dirty(struct cache_set *c, struct btree *n)
{
	lockdep_assert_held_write(&n->lock);
	if (test_bit(BTREE_DIRTY, &n->flags))
		return;
	spin_lock(&c->node_lock);
	if (!test_bit(BTREE_DEAD, &n->flags) &&
	    !test_and_set_bit(BTREE_DIRTY, &n->flags)) {
		list_add_tail(&n->dirty, &c->dirty_list);
		n->dirty_since = jiffies;
	}
	spin_unlock(&c->node_lock);
}

static struct btree *hash_find(struct cache_set *c, u64 bucket)
{
	struct btree *n;

	hlist_for_each_entry_rcu(n, &c->node_hash[node_hash(c, bucket)], hash)
		if (n->bucket == bucket && atomic_inc_unless_negative(&n->ref))
			return n;
	return NULL;
}

/* Take the node @ptr points at, reading it if needed. */
static int node_get(struct cache_set *c, const struct bch_key *ptr, u64 lo,
		    u64 hi, u8 level, bool may_block, struct btree **out)
{
	u64 bucket = bch_bucket_nr(c, bch_ptr_sector(ptr));
	struct btree *n, *old;

	rcu_read_lock();
	n = hash_find(c, bucket);
	rcu_read_unlock();
	if (n) {
		if (!may_block && !test_bit(BTREE_LOADED, &n->flags)) {
			bch_node_put(c, n);
			return -EAGAIN;
		}
		*out = n;
		return 0;
	}
	if (!may_block)
		return -EAGAIN;

	n = bch_node_alloc(c, level);
	if (!n)
		return -ENOMEM;
	n->bucket = bucket;
	n->gen = bch_ptr_gen(ptr);
	n->lo = lo;
	n->hi = hi;
	down_write_nested(&n->lock, n->level);
	spin_lock(&c->node_lock);
	rcu_read_lock();
	old = hash_find(c, bucket);
	rcu_read_unlock();
	if (!old) {
		hlist_add_head_rcu(&n->hash, &c->node_hash[node_hash(c, bucket)]);
		list_add_tail(&n->lru, &c->node_lru);
		c->nr_nodes++;
	}
	spin_unlock(&c->node_lock);
	if (old) {
		up_write(&n->lock);
		bch_node_free(n);
		*out = old;
		return 0;
	}
	bch_node_read(c, n);
	set_bit(BTREE_LOADED, &n->flags);
	up_write(&n->lock);
	*out = n;
	return 0;
}

static int node_lock(struct btree *n, bool write, bool may_block)
{
	if (write) {
		if (!may_block)
			return down_write_trylock(&n->lock) ? 0 : -EAGAIN;
		down_write_nested(&n->lock, n->level);
	} else {
		if (!may_block)
			return down_read_trylock(&n->lock) ? 0 : -EAGAIN;
		down_read_nested(&n->lock, n->level);
	}
	return 0;
}

static void node_unlock(struct btree *n, bool write)
{
	if (write)
		up_write(&n->lock);
	else
		up_read(&n->lock);
}

/**
 * bch_btree_find_visit() - find and lock the node at @level covering @pos
 * @c: cache set
 * @pos: raw key position
 * @level: 0 for the leaf
 * @write: write-lock the node found (interior nodes are read-locked)
 * @may_block: read nodes from disk and sleep on locks; else -EAGAIN
 * @out: the node, locked, with a reference
 * @visit: if not NULL, called with every node above @level, read locked;
 *	    such walks are scans and do not mark the nodes used
 * @arg: argument of @visit
 *
 * Return: 0; -ENODATA if the path crosses an unreadable node (the range
 * reads as uncached); -ENOENT if no child covers @pos; -EAGAIN; -ENOMEM.
 */
int bch_btree_find_visit(struct cache_set *c, u64 pos, u8 level, bool write,
			 bool may_block, struct btree **out,
			 void (*visit)(struct cache_set *c, struct btree *n,
				       void *arg), void *arg)
{
	int restarts = 0, ret;
	struct btree *n, *child;
	struct bch_key ck;
	u64 clo, chi;
	u8 clevel;
	bool wr;
	u32 i;

restart:
	if (++restarts > MAX_RESTARTS) {
		pr_err_ratelimited("%s: btree walk does not converge at %llx\n",
				   c->name, pos);
		return -ENODATA;
	}
	n = bch_root_get(c);
	if (!n)
		return -ENODEV;
	for (;;) {
		wr = write && n->level == level;
		ret = node_lock(n, wr, may_block);
		if (ret) {
			bch_node_put(c, n);
			return ret;
		}
		if (test_bit(BTREE_DEAD, &n->flags)) {
			node_unlock(n, wr);
			bch_node_put(c, n);
			goto restart;
		}
		/*
		 * Read first: an atomic write per walk costs every hit. A
		 * scan (a walk with a visitor) is not a use: a GC pass must
		 * not make every node look hot to the shrinker.
		 */
		if (!visit && !test_bit(BTREE_ACCESSED, &n->flags))
			set_bit(BTREE_ACCESSED, &n->flags);
		if (n->level == level) {
			*out = n;
			return 0;
		}
		if (visit && n->level > level)
			visit(c, n, arg);
		if (n->level < level || test_bit(BTREE_BAD, &n->flags)) {
			node_unlock(n, wr);
			bch_node_put(c, n);
			return n->level < level ? -ENOENT : -ENODATA;
		}
		i = bch_keys_child(&n->live, pos);
		if (i >= n->live.nr) {
			node_unlock(n, wr);
			bch_node_put(c, n);
			return -ENOENT;
		}
		ck = n->live.k[i];
		clo = bch_key_raw(&ck);
		chi = i + 1 < n->live.nr ? bch_key_raw(&n->live.k[i + 1]) :
					   n->hi;
		clevel = n->level - 1;
		node_unlock(n, wr);
		ret = node_get(c, &ck, clo, chi, clevel, may_block, &child);
		bch_node_put(c, n);
		if (ret)
			return ret;
		if (child->lo != clo || child->hi != chi ||
		    child->level != clevel ||
		    child->gen != bch_ptr_gen(&ck)) {
			bch_node_put(c, child);
			goto restart;
		}
		n = child;
	}
}

/**
 * bch_btree_find() - find and lock the node at @level covering @pos
 * @c: cache set
 * @pos: raw key position
 * @level: 0 for the leaf
 * @write: write-lock the node found (interior nodes are read-locked)
 * @may_block: read nodes from disk and sleep on locks; else -EAGAIN
 * @out: the node, locked, with a reference
 *
 * Return: as bch_btree_find_visit().
 */
int bch_btree_find(struct cache_set *c, u64 pos, u8 level, bool write,
		   bool may_block, struct btree **out)
{
	return bch_btree_find_visit(c, pos, level, write, may_block, out,
				    NULL, NULL);
}

/* ---- shrinker ------------------------------------------------------------ */

static unsigned long node_count(struct shrinker *s, struct shrink_control *sc)
{
	struct cache_set *c = container_of(s, struct cache_set, shrinker);

	return READ_ONCE(c->nr_nodes);
}

static unsigned long node_scan(struct shrinker *s, struct shrink_control *sc)
{
	struct cache_set *c = container_of(s, struct cache_set, shrinker);
	unsigned long freed = 0, scanned = 0;
	struct btree *n, *tmp;

	spin_lock(&c->node_lock);
	list_for_each_entry_safe(n, tmp, &c->node_lru, lru) {
		if (scanned++ >= sc->nr_to_scan)
			break;
		if (test_and_clear_bit(BTREE_ACCESSED, &n->flags)) {
			list_move_tail(&n->lru, &c->node_lru);
			continue;
		}
		if (!evictable(c, n) || atomic_cmpxchg(&n->ref, 0, -1) != 0)
			continue;
		node_evict(c, n);
		freed++;
	}
	spin_unlock(&c->node_lock);
	/*
	 * Not SHRINK_STOP when nothing was freed: a batch that only took
	 * second chances away made progress, and stopping there would let
	 * drop_caches (and each reclaim pass) free nothing while more than
	 * a batch of nodes were used since the last scan.
	 */
	return freed;
}

/**
 * bch_btree_init() - set up the node cache
 * @c: cache set with a validated geometry
 *
 * Return: 0 or a negative errno.
 */
int bch_btree_init(struct cache_set *c)
{
	u32 bucket_bytes = c->g.bucket_sectors << SECTOR_SHIFT;
	u32 keys = min_t(u32, BCH_NODE_KEYS_MAX,
			 (bucket_bytes - sizeof(struct bch_bset)) /
			 sizeof(struct bch_key));
	u32 i, hash;

	while (keys > 4 && bch_bset_bytes(&c->g, keys) > bucket_bytes)
		keys--;
	if (keys < 8)
		return -EINVAL;
	c->leaf_max = keys;
	c->pending_max = min(BCH_PENDING_MAX, keys);
	c->wbuf_bytes = bch_bset_bytes(&c->g, keys);
	c->wbuf = bch_meta_buf_alloc(c->wbuf_bytes);
	mutex_init(&c->btree_write_lock);
	INIT_LIST_HEAD(&c->node_lru);
	INIT_LIST_HEAD(&c->dirty_list);
	init_waitqueue_head(&c->flush_wait);
	hash = clamp_t(u64, c->g.nbuckets / 8, 64, 1U << 16);
	c->node_hash_bits = ilog2(roundup_pow_of_two(hash));
	c->node_hash = kvcalloc(1U << c->node_hash_bits,
				sizeof(*c->node_hash), GFP_KERNEL);
	if (!c->wbuf || !c->node_hash)
		return -ENOMEM;
	for (i = 0; i < (1U << c->node_hash_bits); i++)
		INIT_HLIST_HEAD(&c->node_hash[i]);
	c->shrinker.count_objects = node_count;
	c->shrinker.scan_objects = node_scan;
	c->shrinker.seeks = DEFAULT_SEEKS;
	if (register_shrinker(&c->shrinker, "bcache-btree:%s", c->name))
		return -ENOMEM;
	c->shrinker_on = true;
	return 0;
}

/**
 * bch_btree_exit() - free every node
 * @c: cache set; nothing else may use the btree any more
 */
void bch_btree_exit(struct cache_set *c)
{
	struct btree *n, *tmp, *root;

	if (c->shrinker_on)
		unregister_shrinker(&c->shrinker);
	c->shrinker_on = false;
	root = rcu_dereference_protected(c->root, true);
	RCU_INIT_POINTER(c->root, NULL);
	if (root)
		atomic_dec(&root->ref);
	if (c->node_hash) {
		list_for_each_entry_safe(n, tmp, &c->node_lru, lru) {
			WARN_ON_ONCE(atomic_read(&n->ref) > 0);
			hlist_del_init_rcu(&n->hash);
			list_del_init(&n->lru);
			bch_journal_unpin(c, n->pin_seq);
			call_rcu(&n->rcu, node_free_rcu);
		}
	}
	rcu_barrier();
	kvfree(c->node_hash);
	c->node_hash = NULL;
	kvfree(c->wbuf);
	c->wbuf = NULL;
}
