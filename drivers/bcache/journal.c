// SPDX-License-Identifier: GPL-2.0
/*
 * bcache engine: the journal.
 *
 * Protocol
 * --------
 * Two entry buffers: the *open* one collects keys, the other may be in
 * flight. An inserter first reserves room (bch_journal_reserve(), which may
 * sleep or fail with -EAGAIN, and never runs under a node lock), then,
 * under the leaf's write lock, appends its key to whatever entry is open
 * (bch_journal_add()). So for any leaf, journal order is the order in which
 * keys were applied to it, and replay reproduces the same result.
 *
 * The write worker closes the open entry (the other buffer becomes open),
 * places it in the ring of journal buckets and writes it with
 * REQ_PREFLUSH|REQ_FUA: the flush also makes the cached data and btree
 * nodes it refers to durable. Only one entry is in flight at a time, so
 * entries become durable in seq order. Writes happen at once when a waiter
 * needs one (bch_cache_flush_async(), bch_cache_journal_wait_async(), the
 * root moved), else BCH_JOURNAL_DELAY_MS after the first key: one write
 * serves every waiter that arrived meanwhile.
 *
 * Pins: a dirty leaf pins the oldest entry holding keys it has not written
 * (a counter per seq, BCH_JPIN_NR of them). last_seq of a new entry is the
 * oldest pinned seq. A journal bucket is reused only once every entry in it
 * is older than last_seq; when the ring or the pin window is full the
 * writer asks the btree to write the leaves pinning the oldest entries.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "bcache.h"
#include "btree.h"

#define JPIN_MASK	(BCH_JPIN_NR - 1)
#define SPACE_WAIT	(HZ / 10)

static bool open_has_content(struct bch_journal *j)
{
	lockdep_assert_held(&j->lock);
	return j->buf[j->cur].nkeys || j->root_dirty || j->clean ||
		!list_empty(&j->buf[j->cur].waiters);
}

/* Oldest seq that may still be pinned. */
static u64 pin_front(struct bch_journal *j, u64 upto)
{
	lockdep_assert_held(&j->lock);
	while (j->pin_front < upto &&
	       !atomic_read(&j->pins[j->pin_front & JPIN_MASK]))
		j->pin_front++;
	return j->pin_front;
}

/* last_seq for an entry of @seq: the oldest entry replay still needs. */
static u64 entry_last(struct bch_journal *j, u64 seq)
{
	u64 last = min(pin_front(j, seq), seq);

	if (j->replay_last)
		last = min(last, j->replay_last);
	return last;
}

/**
 * bch_journal_replay_done() - the replayed keys are in their nodes on disk
 * @c: cache set
 *
 * From now on new entries may stop carrying the replayed ones.
 */
void bch_journal_replay_done(struct cache_set *c)
{
	struct bch_journal *j = &c->journal;

	spin_lock(&j->lock);
	j->replay_last = 0;
	spin_unlock(&j->lock);
	wake_up_all(&j->wait);
}

static void run_waiters(struct list_head *list, int err)
{
	struct bch_jwait *w, *tmp;

	list_for_each_entry_safe(w, tmp, list, list) {
		list_del_init(&w->list);
		w->err = err;
		w->fn(w);
	}
}

/* Wait until pins below @seq are gone; false if it timed out. */
static bool wait_unpinned(struct cache_set *c, u64 seq)
{
	struct bch_journal *j = &c->journal;
	u64 front;

	spin_lock(&j->lock);
	front = pin_front(j, seq);
	spin_unlock(&j->lock);
	if (front >= seq)
		return true;
	bch_btree_flush_kick(c, seq - 1);
	wait_event_timeout(j->wait, ({
		bool done;

		spin_lock(&j->lock);
		done = pin_front(j, seq) >= seq || j->stopped;
		spin_unlock(&j->lock);
		done; }), SPACE_WAIT);
	return false;
}

/*
 * Pick where an entry of @sectors goes; may wait for ring space. While it
 * waits, pins may go and the root may change: @last and the root in @js
 * are taken again together, so that the entry never drops older entries
 * while it names a root that does not yet include their keys.
 */
static void place_entry(struct cache_set *c, u32 sectors, u64 seq,
			u64 *last, struct bch_jset *js)
{
	struct bch_journal *j = &c->journal;
	u32 next;

	if (j->off + sectors <= c->g.bucket_sectors)
		return;
	next = (j->idx + 1) % c->g.journal_buckets;
	while (j->bucket_seq[next] >= *last && !j->stopped) {
		bool replaying;

		wait_unpinned(c, j->bucket_seq[next] + 1);
		spin_lock(&j->lock);
		*last = entry_last(j, seq);
		js->root = j->root;
		js->root_level = cpu_to_le32(j->root_level);
		replaying = j->replay_last && j->bucket_seq[next] >= *last;
		spin_unlock(&j->lock);
		/* Replayed entries are freed by the flush after replay. */
		if (replaying)
			wait_event_timeout(j->wait, !READ_ONCE(j->replay_last) ||
					   READ_ONCE(j->stopped), SPACE_WAIT);
	}
	j->idx = next;
	j->off = 0;
}

static void journal_write_work(struct work_struct *work)
{
	struct cache_set *c = container_of(work, struct cache_set,
					   journal.write_work);
	struct bch_journal *j = &c->journal;
	struct bch_jbuf *b;
	struct bch_jset *js;
	LIST_HEAD(done);
	bool clean;
	u32 bytes;
	u64 seq, last, sector;
	int ret;

	spin_lock(&j->lock);
	if (j->err) {
		/* Nothing becomes durable any more: fail every waiter. */
		list_splice_init(&j->buf[j->cur].waiters, &done);
		ret = j->err;
		spin_unlock(&j->lock);
		run_waiters(&done, ret);
		return;
	}
	if (j->writing || !open_has_content(j)) {
		spin_unlock(&j->lock);
		return;
	}
	seq = j->buf[j->cur].seq;
	/* The next entry needs a pin slot. */
	while (seq + 1 - pin_front(j, seq + 1) >= BCH_JPIN_NR && !j->stopped) {
		spin_unlock(&j->lock);
		wait_unpinned(c, seq + 1 - BCH_JPIN_NR + 1);
		spin_lock(&j->lock);
	}
	b = &j->buf[j->cur];
	j->cur ^= 1;
	j->buf[j->cur].seq = seq + 1;
	j->buf[j->cur].nkeys = 0;
	j->buf[j->cur].ptrs = false;
	j->writing = true;
	j->root_dirty = false;
	clean = j->clean;
	j->clean = false;
	js = b->j;
	memset(js, 0, sizeof(*js));
	js->root = j->root;
	js->root_level = cpu_to_le32(j->root_level);
	last = entry_last(j, seq);
	spin_unlock(&j->lock);

	if (clean && last != seq)
		clean = false;
	/* The data of the keys in the entry first (backing.c). */
	if (b->ptrs)
		bch_backing_flush(c);
	bytes = bch_jset_bytes(&c->g, b->nkeys);
	place_entry(c, bytes >> SECTOR_SHIFT, seq, &last, js);
	sector = bch_journal_bucket_sector(&c->g, j->idx) + j->off;

	js->nr_keys = cpu_to_le32(b->nkeys);
	js->seq = cpu_to_le64(seq);
	js->last_seq = cpu_to_le64(last);
	js->flags = cpu_to_le64(clean ? BCH_JSET_CLEAN : 0);
	js->uuid_seq = cpu_to_le64(READ_ONCE(c->uuid_seq));
	js->prio_seq = cpu_to_le64(READ_ONCE(c->alloc.prio_writes));
	memset((void *)js->keys + (size_t)b->nkeys * sizeof(struct bch_key),
	       0, bytes - sizeof(*js) - b->nkeys * sizeof(struct bch_key));
	ret = bch_jset_seal(js, bytes, &c->g, sector);
	if (!ret)
		ret = bch_meta_rw(c, sector, js, bytes,
				  REQ_OP_WRITE | REQ_PREFLUSH | REQ_FUA);
	if (ret)
		bch_meta_error(c, "journal", sector, ret);
	j->off += bytes >> SECTOR_SHIFT;
	j->bucket_seq[j->idx] = seq;

	spin_lock(&j->lock);
	if (!ret) {
		j->durable_seq = seq;
		j->last_seq = last;
	} else {
		/*
		 * Replay stops at the first missing entry, so no later entry
		 * would count either: the journal is dead, and so is the
		 * cache (bch_meta_rw() disabled it).
		 */
		j->err = ret;
	}
	j->writing = false;
	list_splice_init(&b->waiters, &done);
	b->nkeys = 0;
	if (!list_empty(&j->buf[j->cur].waiters) || j->root_dirty || j->err ||
	    j->clean || j->buf[j->cur].nkeys > j->keys_max / 2)
		queue_work(c->wq, &j->write_work);
	spin_unlock(&j->lock);
	wake_up_all(&j->wait);
	run_waiters(&done, ret);
	if (ret)
		bch_btree_flush_kick(c, U64_MAX);
}

static void journal_delay_work(struct work_struct *work)
{
	struct cache_set *c = container_of(to_delayed_work(work),
					   struct cache_set,
					   journal.delay_work);

	queue_work(c->wq, &c->journal.write_work);
}

/**
 * bch_journal_kick() - write the open entry soon, if it has content
 * @c: cache set
 */
void bch_journal_kick(struct cache_set *c)
{
	queue_work(c->wq, &c->journal.write_work);
}

static bool room_for(struct bch_journal *j, u32 n)
{
	bool ok;

	spin_lock(&j->lock);
	ok = j->buf[j->cur].nkeys + j->reserved + n <= j->keys_max ||
	     j->stopped || j->err;
	if (ok && !j->stopped && !j->err)
		j->reserved += n;
	spin_unlock(&j->lock);
	return ok;
}

/**
 * bch_journal_reserve() - reserve room for @n keys in the journal
 * @c: cache set
 * @n: keys, at most c->journal.keys_max / 2
 * @may_block: sleep until there is room, else fail with -EAGAIN
 *
 * Every reserved key must be consumed by bch_journal_add() or returned by
 * bch_journal_unreserve().
 *
 * Context: process context; no btree node lock held.
 * Return: 0, -EAGAIN or -ENODEV (stopped).
 */
int bch_journal_reserve(struct cache_set *c, u32 n, bool may_block)
{
	struct bch_journal *j = &c->journal;

	if (room_for(j, n))
		return j->stopped ? -ENODEV : READ_ONCE(j->err);
	bch_journal_kick(c);
	if (!may_block)
		return -EAGAIN;
	wait_event(j->wait, room_for(j, n));
	return j->stopped ? -ENODEV : READ_ONCE(j->err);
}

/**
 * bch_journal_unreserve() - give back unused reserved keys
 * @c: cache set
 * @n: keys
 */
void bch_journal_unreserve(struct cache_set *c, u32 n)
{
	struct bch_journal *j = &c->journal;

	if (!n)
		return;
	spin_lock(&j->lock);
	j->reserved -= min(n, j->reserved);
	spin_unlock(&j->lock);
	wake_up_all(&j->wait);
}

/**
 * bch_journal_add() - append a reserved key to the open entry
 * @c: cache set
 * @k: the leaf key (extent or hole)
 * @pin: the leaf's pin; if 0, set to the entry's seq and pinned
 *
 * Context: under the leaf's write lock, after bch_journal_reserve().
 * Return: the seq of the entry that holds @k.
 */
u64 bch_journal_add(struct cache_set *c, const struct bch_key *k, u64 *pin)
{
	struct bch_journal *j = &c->journal;
	struct bch_jbuf *b;
	u64 seq;

	spin_lock(&j->lock);
	b = &j->buf[j->cur];
	if (WARN_ON_ONCE(!j->reserved ||
			 b->nkeys >= j->keys_max)) {
		seq = b->seq;
		goto out;
	}
	j->reserved--;
	b->j->keys[b->nkeys++] = *k;
	seq = b->seq;
	if (bch_ptr_is_ptr(k))
		b->ptrs = true;
	else
		j->hole_seq = seq;
	if (pin && !*pin) {
		*pin = seq;
		atomic_inc(&j->pins[seq & JPIN_MASK]);
	}
	if (b->nkeys == 1)
		mod_delayed_work(c->wq, &j->delay_work,
				 msecs_to_jiffies(BCH_JOURNAL_DELAY_MS));
	else if (b->nkeys > j->keys_max / 2)
		queue_work(c->wq, &j->write_work);
out:
	spin_unlock(&j->lock);
	return seq;
}

/**
 * bch_journal_unpin() - a leaf's keys up to @seq are on disk
 * @c: cache set
 * @seq: the pin taken by bch_journal_add()
 */
void bch_journal_unpin(struct cache_set *c, u64 seq)
{
	if (!seq)
		return;
	WARN_ON_ONCE(atomic_dec_return(&c->journal.pins[seq & JPIN_MASK]) < 0);
	wake_up_all(&c->journal.wait);
}

/**
 * bch_journal_set_root() - record a new root; the next entry carries it
 * @c: cache set
 * @k: the root's node pointer (key 0)
 * @level: its level
 */
void bch_journal_set_root(struct cache_set *c, const struct bch_key *k,
			  u32 level)
{
	struct bch_journal *j = &c->journal;

	spin_lock(&j->lock);
	j->root = *k;
	j->root_level = level;
	j->root_dirty = true;
	spin_unlock(&j->lock);
	bch_journal_kick(c);
}

/**
 * bch_journal_open_seq() - seq of the entry now collecting keys
 * @c: cache set
 *
 * Return: the seq; once it is durable, so is everything journaled so far.
 */
u64 bch_journal_open_seq(struct cache_set *c)
{
	struct bch_journal *j = &c->journal;
	u64 seq;

	spin_lock(&j->lock);
	seq = j->buf[j->cur].seq;
	spin_unlock(&j->lock);
	return seq;
}

void bch_cache_journal_wait_async(struct cache_set *c, u64 seq,
				  struct bch_jwait *w)
{
	struct bch_journal *j = &c->journal;

	w->seq = seq;
	spin_lock(&j->lock);
	if (j->err || seq <= j->durable_seq) {
		w->err = j->err;
		spin_unlock(&j->lock);
		w->fn(w);
		return;
	}
	if (j->writing && seq == j->buf[j->cur ^ 1].seq) {
		list_add_tail(&w->list, &j->buf[j->cur ^ 1].waiters);
	} else {
		list_add_tail(&w->list, &j->buf[j->cur].waiters);
		queue_work(c->wq, &j->write_work);
	}
	spin_unlock(&j->lock);
}

/*
 * Rule 4 needs only the invalidations: a key inserted since the last
 * journal write may be lost in a crash, which only loses a cached copy.
 */
void bch_cache_flush_async(struct cache_set *c, struct bch_jwait *w)
{
	struct bch_journal *j = &c->journal;
	u64 seq;

	spin_lock(&j->lock);
	seq = j->hole_seq;
	spin_unlock(&j->lock);
	bch_cache_journal_wait_async(c, seq, w);
}

struct sync_wait {
	struct bch_jwait	w;
	struct completion	done;
};

static void sync_wait_fn(struct bch_jwait *w)
{
	complete(&container_of(w, struct sync_wait, w)->done);
}

static int wait_seq(struct cache_set *c, u64 seq)
{
	struct sync_wait s;

	init_completion(&s.done);
	INIT_LIST_HEAD(&s.w.list);
	s.w.fn = sync_wait_fn;
	bch_cache_journal_wait_async(c, seq, &s.w);
	wait_for_completion(&s.done);
	return s.w.err;
}

/**
 * bch_journal_flush() - make everything journaled so far durable
 * @c: cache set
 *
 * Context: process context, sleeps.
 * Return: 0 or the journal write's error.
 */
int bch_journal_flush(struct cache_set *c)
{
	struct bch_journal *j = &c->journal;

	spin_lock(&j->lock);
	j->root_dirty = true;	/* always write an entry */
	spin_unlock(&j->lock);
	return wait_seq(c, bch_journal_open_seq(c));
}

/**
 * bch_journal_write_clean() - write the clean-shutdown entry
 * @c: cache set whose dirty nodes are all written
 *
 * Return: 0 or an I/O error.
 */
int bch_journal_write_clean(struct cache_set *c)
{
	struct bch_journal *j = &c->journal;

	spin_lock(&j->lock);
	j->clean = true;
	spin_unlock(&j->lock);
	return wait_seq(c, bch_journal_open_seq(c));
}

/**
 * bch_journal_init() - allocate the journal's buffers
 * @c: cache set with a validated geometry
 *
 * Return: 0 or -ENOMEM.
 */
int bch_journal_init(struct cache_set *c)
{
	struct bch_journal *j = &c->journal;
	u32 max = min_t(u32, c->g.bucket_sectors << SECTOR_SHIFT,
			BCH_JSET_BYTES_MAX);
	u32 keys = (max - sizeof(struct bch_jset)) / sizeof(struct bch_key);
	int i;

	spin_lock_init(&j->lock);
	init_waitqueue_head(&j->wait);
	INIT_WORK(&j->write_work, journal_write_work);
	INIT_DELAYED_WORK(&j->delay_work, journal_delay_work);
	/*
	 * An entry, rounded up to blocks, must fit in an empty bucket. Past
	 * 32 KiB (about 2000 keys, 8 MiB of 4 KiB writes per entry) a bigger
	 * buffer only costs memory: the two are written in turn.
	 */
	while (keys > 2 && bch_jset_bytes(&c->g, keys) > max)
		keys--;
	j->keys_max = keys;
	j->buf_bytes = bch_jset_bytes(&c->g, keys);
	for (i = 0; i < 2; i++) {
		j->buf[i].j = bch_meta_buf_alloc(j->buf_bytes);
		if (!j->buf[i].j)
			return -ENOMEM;
		INIT_LIST_HEAD(&j->buf[i].waiters);
	}
	j->bucket_seq = kvcalloc(c->g.journal_buckets, sizeof(u64),
				 GFP_KERNEL);
	if (!j->bucket_seq)
		return -ENOMEM;
	return 0;
}

/**
 * bch_journal_exit() - stop the journal and free it
 * @c: cache set
 *
 * Waiters still queued are completed with -ENODEV.
 */
void bch_journal_exit(struct cache_set *c)
{
	struct bch_journal *j = &c->journal;
	LIST_HEAD(left);
	int i;

	if (!j->buf_bytes)
		return;		/* never initialised */
	spin_lock(&j->lock);
	j->stopped = true;
	spin_unlock(&j->lock);
	wake_up_all(&j->wait);
	if (c->wq && j->write_work.func) {
		cancel_delayed_work_sync(&j->delay_work);
		cancel_work_sync(&j->write_work);
	}
	for (i = 0; i < 2; i++) {
		if (j->buf[i].waiters.next)
			list_splice_init(&j->buf[i].waiters, &left);
		kvfree(j->buf[i].j);
		j->buf[i].j = NULL;
	}
	run_waiters(&left, -ENODEV);
	kvfree(j->bucket_seq);
	j->bucket_seq = NULL;
}
