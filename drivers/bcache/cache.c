// SPDX-License-Identifier: GPL-2.0
/*
 * bcache engine: cache set lifecycle.
 *
 * Registration (bch_cache_register()), under bch_register_lock:
 *  1. open the device exclusively, refuse our own /dev/bcacheN;
 *  2. read and validate the superblock (unknown ro_compat bits refused);
 *  3. load the uuid table (A/B) and the prio pages (A/B per page): every
 *     bucket's gen, prio and type come from there - nothing walks the
 *     btree, so registration cost follows the journal, not the cache size;
 *  4. start the reclaim thread, read the journal, open the root (or create
 *     one for a new cache) and replay the keys since last_seq;
 *  5. write the nodes replay dirtied and a journal entry: the replayed
 *     entries are not needed any more;
 *  6. start GC (usage is recomputed in the background) and the node
 *     flusher, create /sys/kernel/bcache/<name>/, tell the front end.
 *
 * Unregistration reverses it: the front end detaches first (devices go on
 * in passthrough), then every dirty node, the prio pages and a CLEAN
 * journal entry are written. The cache set struct itself lives as long as
 * its kobject: the front end may hold references (bch_cache_get()).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/blkdev.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "bcache.h"
#include "btree.h"

#define BCH_OPEN_MODE	(FMODE_READ | FMODE_WRITE | FMODE_EXCL)

LIST_HEAD(bch_caches);
static struct kobject *bch_parent;
static struct workqueue_struct *bch_meta_wq;	/* see cache_set.wq */

static int read_super(struct cache_set *c)
{
	const char *why = "";
	int ret;

	c->sb = kmalloc(BCH_SB_BYTES, GFP_KERNEL);
	if (!c->sb)
		return -ENOMEM;
	ret = bch_meta_rw(c, BCH_SB_SECTOR, c->sb, BCH_SB_BYTES, REQ_OP_READ);
	if (ret) {
		pr_err("%s: cannot read the superblock: %d\n", c->name, ret);
		return ret;
	}
	ret = bch_sb_validate(c->sb, BCH_SB_BYTES, bdev_nr_sectors(c->bdev),
			      &c->g, &why);
	if (ret) {
		pr_err("%s: not a valid cache: superblock: %s\n", c->name, why);
		return -EINVAL;
	}
	if (c->g.ro_compat_unknown) {
		pr_err("%s: superblock has unknown ro_compat features %#llx\n",
		       c->name, c->g.ro_compat_unknown);
		return -EINVAL;
	}
	if ((c->g.block_sectors << SECTOR_SHIFT) <
	    bdev_logical_block_size(c->bdev)) {
		pr_err("%s: block size %u is below the device's logical block size %u\n",
		       c->name, c->g.block_sectors << SECTOR_SHIFT,
		       bdev_logical_block_size(c->bdev));
		return -EINVAL;
	}
	c->discard = c->g.flags & BCH_SB_DISCARD;
	memcpy(c->set_uuid, c->sb->set_uuid, BCH_UUID_LEN);
	return 0;
}

static int read_uuids(struct cache_set *c)
{
	size_t bytes = (size_t)c->g.uuid_slot_sectors << SECTOR_SHIFT;
	const char *why[2] = { "read error", "read error" };
	bool ok[2] = { false, false };
	u64 seq[2] = { 0, 0 };
	int err[2];
	int slot, ret;

	c->uuids = bch_meta_buf_alloc(bytes);
	if (!c->uuids)
		return -ENOMEM;
	for (slot = 0; slot < 2; slot++) {
		err[slot] = bch_meta_rw(c, bch_uuid_slot_sector(&c->g, slot),
					c->uuids, bytes, REQ_OP_READ);
		if (!err[slot])
			err[slot] = bch_uuid_set_validate(c->uuids, bytes,
							  &c->g, slot,
							  &why[slot]);
		ok[slot] = !err[slot];
		seq[slot] = le64_to_cpu(c->uuids->seq);
	}
	slot = bch_ab_pick_read(ok[0], seq[0], ok[1], seq[1]);
	if (slot < 0) {
		pr_err("%s: uuid table has no valid copy (A: %s, B: %s)\n",
		       c->name, why[0], why[1]);
		return -EINVAL;
	}
	/* Never written is normal; a copy that went bad is news. */
	if (err[!slot] && err[!slot] != -ENODATA)
		pr_notice("%s: uuid table copy %c unreadable (%s), using copy %c\n",
			  c->name, 'A' + !slot, why[!slot], 'A' + slot);
	ret = bch_meta_rw(c, bch_uuid_slot_sector(&c->g, slot), c->uuids,
			  bytes, REQ_OP_READ);
	if (!ret)
		ret = bch_uuid_set_validate(c->uuids, bytes, &c->g, slot,
					    &why[0]);
	if (ret) {
		pr_err("%s: uuid table changed under us: %s\n", c->name,
		       why[0]);
		return -EINVAL;
	}
	c->uuid_slot = slot;
	c->uuid_seq = seq[slot];
	return 0;
}

static void cache_release(struct kobject *kobj)
{
	kfree(container_of(kobj, struct cache_set, kobj));
	module_put(THIS_MODULE);
}

const struct kobj_type bch_cache_ktype = {
	.release	= cache_release,
	.sysfs_ops	= &kobj_sysfs_ops,
	.default_groups	= bch_cache_groups,
};

/* Stop everything; with @clean, first write what must survive. */
static void cache_teardown(struct cache_set *c, bool clean)
{
	int ret = 0;

	WRITE_ONCE(c->stopping, true);
	wake_up_all(&c->alloc.wait);
	wake_up_all(&c->gc_wait);
	bch_gc_stop(c);
	if (c->wq)
		cancel_delayed_work_sync(&c->flush_work);
	if (clean && !bch_cache_failed(c)) {
		ret = bch_btree_flush(c, U64_MAX, true);
		if (!ret)
			ret = bch_prio_write(c);
		if (!ret)
			ret = bch_journal_write_clean(c);
		if (ret)
			pr_err("%s: unclean shutdown (%d): the journal will be replayed\n",
			       c->name, ret);
	}
	bch_alloc_stop(c);
	bch_journal_exit(c);
	/*
	 * The workqueue outlives the cache: cancel the node flush once more,
	 * now that no journal write can kick it. A kick that read
	 * c->stopping just before teardown set it may have queued it again
	 * after the first cancel.
	 */
	if (c->wq)
		cancel_delayed_work_sync(&c->flush_work);
	c->wq = NULL;
	bch_btree_exit(c);
	bch_alloc_exit(c);
	kvfree(c->buckets);
	c->buckets = NULL;
	kvfree(c->uuids);
	c->uuids = NULL;
	kfree(c->sb);
	c->sb = NULL;
	bioset_exit(&c->bio_set);
	if (c->bdev)
		blkdev_put(c->bdev, BCH_OPEN_MODE);
	c->bdev = NULL;
}

static void cache_fail_work(struct work_struct *work);

static struct cache_set *cache_alloc(void)
{
	struct cache_set *c = kzalloc(sizeof(*c), GFP_KERNEL);

	if (!c)
		return NULL;
	__module_get(THIS_MODULE);
	kobject_init(&c->kobj, &bch_cache_ktype);
	INIT_LIST_HEAD(&c->list);
	INIT_WORK(&c->fail_work, cache_fail_work);
	c->io_error_limit = BCH_IO_ERROR_LIMIT;
	mutex_init(&c->uuid_lock);
	mutex_init(&c->backing_lock);
	init_waitqueue_head(&c->gc_wait);
	init_waitqueue_head(&c->alloc.wait);
	spin_lock_init(&c->alloc.lock);
	c->alloc.open = U64_MAX;
	spin_lock_init(&c->node_lock);
	bch_btree_flush_init(c);
	return c;
}

static int cache_open(struct cache_set *c, const char *path)
{
	struct block_device *bdev;

	bdev = blkdev_get_by_path(path, BCH_OPEN_MODE, c);
	if (IS_ERR(bdev)) {
		int ret = PTR_ERR(bdev);

		if (ret == -ENOENT)
			pr_err("register_cache: %s: no such device\n", path);
		else if (ret == -ENOTBLK)
			pr_err("register_cache: %s: not a block device\n",
			       path);
		else if (ret == -EBUSY)
			pr_err("register_cache: %s: already registered or in use\n",
			       path);
		else
			pr_err("register_cache: %s: cannot open: %d\n", path,
			       ret);
		return ret;
	}
	c->bdev = bdev;
	snprintf(c->name, sizeof(c->name), "%pg", bdev);
	if (bdev->bd_disk->fops->owner == THIS_MODULE) {
		pr_err("register_cache: %s: is a bcache device itself\n",
		       path);
		return -EINVAL;
	}
	return 0;
}

static int cache_load(struct cache_set *c)
{
	bool fresh;
	int ret;

	ret = read_super(c);
	if (ret)
		return ret;
	c->buckets = kvcalloc(c->g.nbuckets, sizeof(*c->buckets),
			      GFP_KERNEL);
	if (!c->buckets)
		return -ENOMEM;
	c->wq = bch_meta_wq;
	ret = bch_alloc_init(c);
	if (!ret)
		ret = bch_journal_init(c);
	if (!ret)
		ret = bch_btree_init(c);
	if (ret) {
		pr_err("%s: cannot set up the cache: %d\n", c->name, ret);
		return ret;
	}
	ret = read_uuids(c);
	if (!ret)
		ret = bch_prio_read(c);
	if (!ret)
		ret = bch_alloc_start(c);
	if (!ret)
		ret = bch_journal_replay(c, &fresh);
	if (ret)
		return ret;
	if (atomic_read(&c->future_ptrs))
		bch_btree_scrub(c);
	/* Replayed keys go to their nodes: the old entries are done with. */
	ret = bch_btree_flush(c, U64_MAX, true);
	if (!ret) {
		bch_journal_replay_done(c);
		ret = bch_journal_flush(c);
	}
	if (ret) {
		pr_err("%s: cannot write metadata after replay: %d\n",
		       c->name, ret);
		return ret;
	}
	ret = bch_gc_start(c);
	if (ret)
		return ret;
	bch_btree_flush_start(c);
	if (fresh)
		pr_info("%s: new cache, empty btree created\n", c->name);
	return 0;
}

/**
 * bch_cache_register() - register a cache device (register_cache).
 * @path: path of a block device formatted by make-bcache
 *
 * Context: process context; takes bch_register_lock.
 * Return: 0, or a negative errno after a one-line pr_err() naming the cause.
 */
int bch_cache_register(const char *path)
{
	struct cache_set *c = cache_alloc();
	int ret;

	if (!c)
		return -ENOMEM;
	ret = bioset_init(&c->bio_set, 4, 0, BIOSET_NEED_BVECS);
	if (ret)
		goto err_put;
	ret = cache_open(c, path);
	if (ret)
		goto err_teardown;

	mutex_lock(&bch_register_lock);
	ret = cache_load(c);
	if (ret)
		goto err_unlock;
	ret = kobject_add(&c->kobj, bch_parent, "%s", c->name);
	if (ret) {
		pr_err("%s: cannot create the sysfs directory: %d\n", c->name,
		       ret);
		goto err_unlock;
	}
	c->stats = bch_stats_create(&c->kobj);
	if (IS_ERR(c->stats))
		c->stats = NULL;
	list_add_tail(&c->list, &bch_caches);
	c->registered = true;
	pr_info("%s: registered cache, %llu buckets of %u KiB\n", c->name,
		c->g.nbuckets, c->g.bucket_sectors >> 1);
	bch_devs_cache_added(c);
	mutex_unlock(&bch_register_lock);
	return 0;

err_unlock:
	cache_teardown(c, false);
	mutex_unlock(&bch_register_lock);
	kobject_put(&c->kobj);
	return ret;
err_teardown:
	cache_teardown(c, false);
err_put:
	kobject_put(&c->kobj);
	return ret;
}

/**
 * bch_cache_unregister() - detach the devices and shut the cache down
 * @c: a registered cache
 *
 * Context: bch_register_lock held; may sleep for a long time.
 */
void bch_cache_unregister(struct cache_set *c)
{
	lockdep_assert_held(&bch_register_lock);
	if (!c->registered)
		return;
	c->registered = false;
	bch_devs_cache_removing(c, bch_cache_failed(c));
	list_del_init(&c->list);
	cache_teardown(c, true);
	if (c->stats)
		bch_stats_destroy(c->stats);
	c->stats = NULL;
	pr_info("%s: unregistered\n", c->name);
	kobject_del(&c->kobj);
	kobject_put(&c->kobj);
}

/**
 * bch_cache_set_discard() - switch discard-before-reuse, persistently
 * @c: cache
 * @on: the new setting
 *
 * The setting is stored in the superblock flags (BCH_SB_DISCARD): one
 * 4 KiB FUA write.
 *
 * Context: bch_register_lock held.
 * Return: 0 or a negative errno.
 */
int bch_cache_set_discard(struct cache_set *c, bool on)
{
	u64 flags = le64_to_cpu(c->sb->flags);
	int ret;

	lockdep_assert_held(&bch_register_lock);
	if (!!(flags & BCH_SB_DISCARD) == on) {
		WRITE_ONCE(c->discard, on);
		return 0;
	}
	flags = on ? flags | BCH_SB_DISCARD : flags & ~BCH_SB_DISCARD;
	c->sb->flags = cpu_to_le64(flags);
	c->sb->seq = cpu_to_le64(le64_to_cpu(c->sb->seq) + 1);
	bch_sb_seal(c->sb);
	ret = bch_meta_rw(c, BCH_SB_SECTOR, c->sb, BCH_SB_BYTES,
			  REQ_OP_WRITE | REQ_PREFLUSH | REQ_FUA);
	if (ret) {
		pr_err("%s: cannot write the superblock: %d\n", c->name, ret);
		return ret;
	}
	WRITE_ONCE(c->discard, on);
	return 0;
}

bool bch_cache_owns_bdev(struct block_device *bdev)
{
	struct cache_set *c;

	lockdep_assert_held(&bch_register_lock);
	list_for_each_entry(c, &bch_caches, list)
		if (c->bdev == bdev)
			return true;
	return false;
}

void bch_cache_get(struct cache_set *c)
{
	kobject_get(&c->kobj);
}

void bch_cache_put(struct cache_set *c)
{
	kobject_put(&c->kobj);
}

const char *bch_cache_name(struct cache_set *c)
{
	return c->name;
}

struct block_device *bch_cache_bdev(struct cache_set *c)
{
	return c->bdev;
}

struct bch_stats *bch_cache_stats(struct cache_set *c)
{
	return c->stats;
}

/* ---- failure -------------------------------------------------------------- */

static struct workqueue_struct *bch_fail_wq;

static void cache_fail_work(struct work_struct *work)
{
	struct cache_set *c = container_of(work, struct cache_set, fail_work);

	mutex_lock(&bch_register_lock);
	if (c->registered)
		bch_devs_cache_removing(c, true);
	mutex_unlock(&bch_register_lock);
	kobject_put(&c->kobj);
}

/**
 * bch_cache_fail() - disable a cache that can no longer be trusted
 * @c: cache
 * @why: what happened, for the log
 *
 * Every device using @c detaches from it without keeping its cached data
 * and continues in passthrough; the cache stays registered, in state
 * "failed", until it is unregistered. Metadata writes fail from now on.
 *
 * Context: any context.
 */
void bch_cache_fail(struct cache_set *c, const char *why)
{
	if (test_and_set_bit(BCH_CACHE_FAILED, &c->state))
		return;
	pr_err("%s: %s, cache disabled: its devices continue without it\n",
	       c->name, why);
	kobject_get(&c->kobj);
	if (!queue_work(bch_fail_wq, &c->fail_work))
		kobject_put(&c->kobj);
}

/**
 * bch_cache_io_error() - count an I/O error on the cache device
 * @c: cache
 * @err: the errno
 *
 * Past io_error_limit errors the cache is disabled (bch_cache_fail()).
 *
 * Context: any context.
 */
void bch_cache_io_error(struct cache_set *c, int err)
{
	int n = atomic_inc_return(&c->io_errors);
	u32 limit = READ_ONCE(c->io_error_limit);

	pr_err_ratelimited("%s: cache I/O error %d\n", c->name, err);
	if (limit && n >= limit)
		bch_cache_fail(c, "too many I/O errors");
}

int bch_engine_init(struct kobject *bcache_kobj)
{
	bch_fail_wq = alloc_workqueue("bcache_fail", WQ_MEM_RECLAIM, 0);
	if (!bch_fail_wq)
		return -ENOMEM;
	bch_meta_wq = alloc_workqueue("bcache_meta", WQ_MEM_RECLAIM, 0);
	if (!bch_meta_wq) {
		destroy_workqueue(bch_fail_wq);
		return -ENOMEM;
	}
	bch_parent = bcache_kobj;
	return 0;
}

void bch_engine_exit(void)
{
	WARN_ON(!list_empty(&bch_caches));
	destroy_workqueue(bch_meta_wq);
	destroy_workqueue(bch_fail_wq);
	bch_parent = NULL;
}
