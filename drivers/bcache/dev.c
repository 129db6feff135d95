// SPDX-License-Identifier: GPL-2.0
/*
 * bcache: backing devices: register_dev, /dev/bcacheN, attach, detach and
 * stop. See dev.h for the objects and their lifetimes.
 *
 * Registration runs in three steps: under bch_register_lock the device is
 * opened, /dev/bcacheN is created and the device is put on bch_devs; then,
 * without the lock, its sysfs directory is created; finally, under the lock
 * again, it attaches to a cache if one wants it. Stop mirrors this: the sysfs
 * directory is removed without the lock, so that sysfs stores may take the
 * lock without ever waiting for their own removal.
 *
 * Copyright (C) 2026 The bcache authors.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/blkdev.h>
#include <linux/ctype.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "dev.h"

#define BCH_MINORS		16
#define BCH_MAX_DEVS		((MINORMASK + 1) / BCH_MINORS)
#define BCH_REGISTER_MAX	(PATH_MAX + 64)
#define BCH_DEV_FMODE		(FMODE_READ | FMODE_WRITE | FMODE_EXCL)
#define BCH_SEQ_CUTOFF_DEFAULT	(4ULL << 20)

static LIST_HEAD(bch_devs);		/* under bch_register_lock */
static DEFINE_IDA(bch_dev_ida);
static int bch_major;
static struct workqueue_struct *bch_ctl_wq;

static int bch_dev_open(struct block_device *bdev, fmode_t mode)
{
	struct bcache_dev *d = bdev->bd_disk->private_data;

	/* Called under disk->open_mutex, which also orders bch_dev_stop(). */
	return d->stopping ? -ENXIO : 0;
}

const struct block_device_operations bch_dev_fops = {
	.owner		= THIS_MODULE,
	.submit_bio	= bch_submit_bio,
	.open		= bch_dev_open,
};

/* ---- fingerprint ---------------------------------------------------------- */

/*
 * Checksum of the first min(BCH_FP_MAX_BYTES, size) bytes of the backing
 * device, read with one bio (not through the page cache, which is not
 * coherent with the bios this driver sends). Registration starts the read
 * before /dev/bcacheN is added (fp_start()), so that it overlaps the
 * partition scan, and the attach collects it (fp_finish()): a write made
 * in between is caught by bcache_dev.written, which drops the cached data
 * anyway.
 */
static void fp_endio(struct bio *bio)
{
	complete(bio->bi_private);
}

static void fp_free(struct bio *bio)
{
	struct bvec_iter_all iter;
	struct bio_vec *bv;

	bio_for_each_segment_all(bv, bio, iter)
		__free_page(bv->bv_page);
	bio_uninit(bio);
	kfree(bio);
}

/* Submit the read into d->fp_bio; on failure d->fp_bio stays NULL. */
static int fp_start(struct bcache_dev *d)
{
	u64 bytes = min_t(u64, BCH_FP_MAX_BYTES, bdev_nr_bytes(d->bdev));
	unsigned int nr = DIV_ROUND_UP(bytes, PAGE_SIZE), i;
	struct bio *bio;

	if (!bytes)
		return 0;
	bio = bio_kmalloc(nr, GFP_KERNEL);
	if (!bio)
		return -ENOMEM;
	bio_init(bio, d->bdev, bio->bi_inline_vecs, nr, REQ_OP_READ);
	for (i = 0; i < nr; i++) {
		unsigned int n = min_t(u64, bytes, PAGE_SIZE);
		struct page *page = alloc_page(GFP_KERNEL);

		if (!page) {
			fp_free(bio);
			return -ENOMEM;
		}
		__bio_add_page(bio, page, n, 0);
		bytes -= n;
	}
	init_completion(&d->fp_done);
	bio->bi_private = &d->fp_done;
	bio->bi_end_io = fp_endio;
	d->fp_bio = bio;
	submit_bio(bio);
	return 0;
}

/* Wait for the read fp_start() submitted and checksum it (if @csum). */
static int fp_finish(struct bcache_dev *d, u32 *csum, u32 *len)
{
	struct bio *bio = d->fp_bio;
	u32 crc = BCH_CSUM_SEED_INIT;	/* as bch_fingerprint() */
	struct bvec_iter_all iter;
	struct bio_vec *bv;
	u32 bytes = 0;
	int ret;

	if (!bio)
		return 0;
	d->fp_bio = NULL;
	wait_for_completion(&d->fp_done);
	ret = blk_status_to_errno(bio->bi_status);
	if (!ret && csum) {
		bio_for_each_segment_all(bv, bio, iter) {
			void *p = bvec_kmap_local(bv);

			crc = bch_crc32c(crc, p, bv->bv_len);
			kunmap_local(p);
			bytes += bv->bv_len;
		}
		*csum = crc;
		*len = bytes;
	}
	fp_free(bio);
	return ret;
}

static int dev_fingerprint(struct bcache_dev *d, u32 *csum, u32 *len)
{
	int ret;

	*csum = 0;
	*len = 0;
	if (!d->fp_bio) {
		ret = fp_start(d);
		if (ret)
			return ret;
	}
	return fp_finish(d, csum, len);
}

/* ---- attach / detach ------------------------------------------------------ */

static void att_release(struct percpu_ref *ref)
{
	complete(&container_of(ref, struct bch_attach, ref)->drained);
}

static void pt_release(struct percpu_ref *ref)
{
	complete(&container_of(ref, struct bcache_dev, pt_ref)->pt_drained);
}

struct sync_jwait {
	struct bch_jwait	w;
	struct completion	done;
};

static void sync_jwait_fn(struct bch_jwait *w)
{
	complete(&container_of(w, struct sync_jwait, w)->done);
}

/* Drop everything the cache holds for @a's device; wait until durable. */
static int att_invalidate_all(struct bch_attach *a, u64 sectors)
{
	struct sync_jwait sw = { .w.fn = sync_jwait_fn };
	u64 seq;
	int ret;

	ret = bch_cache_invalidate(a->c, a->dev_id, 0, sectors, &seq, true);
	if (ret <= 0)
		return ret;
	init_completion(&sw.done);
	bch_cache_journal_wait_async(a->c, seq, &sw.w);
	wait_for_completion(&sw.done);
	return sw.w.err;
}

/*
 * Stop using the cache: unpublish the binding, wait for every request that
 * uses it, then tell the engine. @keep: a clean stop, keep the cached data.
 */
static void dev_detach(struct bcache_dev *d, bool keep)
{
	struct bch_attach *a;
	u32 csum = 0, len = 0;

	lockdep_assert_held(&bch_register_lock);
	a = rcu_dereference_protected(d->att, lockdep_is_held(&bch_register_lock));
	if (!a)
		return;

	/* Writes from now on are passthrough writes (see dev.h). */
	percpu_ref_reinit(&d->pt_ref);
	rcu_assign_pointer(d->att, NULL);
	/* Pairs with the smp_rmb() of the write path's binding lookup. */
	smp_mb();
	/*
	 * The ref can only drop to zero after its switch to atomic mode, which
	 * waits for an RCU grace period: once it drained, no reader can still
	 * be looking at @a.
	 */
	percpu_ref_kill(&a->ref);
	wait_for_completion(&a->drained);

	if (keep && dev_fingerprint(d, &csum, &len)) {
		pr_err("bcache%d: cannot read %pg to fingerprint it, dropping its cached data\n",
		       d->idx, d->bdev);
		keep = false;
	}
	bch_cache_detach_dev(a->c, a->dev_id, keep, csum, len);
	bch_cache_backing_remove(a->c, a->dev_id);
	/*
	 * Without @keep the engine may not have made the invalidation durable
	 * (a failing cache): whoever attaches next drops the data again.
	 */
	if (!keep)
		WRITE_ONCE(d->written, true);
	pr_info("bcache%d: detached from cache %s%s\n", d->idx,
		bch_cache_name(a->c), keep ? "" : ", cached data dropped");
	bch_cache_put(a->c);
	percpu_ref_exit(&a->ref);
	kfree(a);
}

/* Publish a new binding; make it ready once nothing stale can be cached. */
static int dev_attach_finish(struct bcache_dev *d, struct bch_attach *a,
			     u64 sectors)
{
	int ret = 0;

	rcu_assign_pointer(d->att, a);
	/* Pairs with the smp_rmb() of the write path's binding lookup. */
	smp_mb();
	percpu_ref_kill(&d->pt_ref);
	wait_for_completion(&d->pt_drained);
	reinit_completion(&d->pt_drained);

	/* Every passthrough write has completed; did any happen? */
	if (xchg(&d->written, false))
		ret = att_invalidate_all(a, sectors);
	if (ret)
		return ret;
	/* Pairs with the readers' smp_load_acquire(): drained, then ready. */
	smp_store_release(&a->ready, true);
	return 0;
}

static void dev_attach(struct bcache_dev *d)
{
	u64 sectors = bdev_nr_sectors(d->bdev);
	struct bch_attach *a;
	struct cache_set *c;
	u32 csum, len;
	u8 dev_id;
	int ret;

	lockdep_assert_held(&bch_register_lock);
	if (rcu_access_pointer(d->att) || d->user_detached || d->stopping)
		return;
	c = bch_cache_for_uuid(d->uuid, &dev_id);
	if (!c)
		return;

	ret = dev_fingerprint(d, &csum, &len);
	if (ret) {
		pr_err("bcache%d: cannot read %pg to fingerprint it (%pe)\n",
		       d->idx, d->bdev, ERR_PTR(ret));
		goto err_release;
	}
	ret = bch_cache_attach_check(c, dev_id, sectors, csum, len);
	if (ret) {
		pr_err("bcache%d: cache %s refused the device (%pe)\n",
		       d->idx, bch_cache_name(c), ERR_PTR(ret));
		goto err_release;
	}

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		goto err_release;
	if (percpu_ref_init(&a->ref, att_release, 0, GFP_KERNEL)) {
		kfree(a);
		goto err_release;
	}
	init_completion(&a->drained);
	a->c = c;
	a->d = d;
	a->dev_id = dev_id;
	bch_cache_backing_add(c, dev_id, d->bdev);

	ret = dev_attach_finish(d, a, sectors);
	if (ret) {
		pr_err("bcache%d: cannot drop stale cached data (%pe)\n",
		       d->idx, ERR_PTR(ret));
		dev_detach(d, false);
		return;
	}
	pr_info("bcache%d: attached to cache %s\n", d->idx, bch_cache_name(c));
	return;

err_release:
	/* The slot was claimed ATTACHED: never leave it so with stale data. */
	bch_cache_detach_dev(c, dev_id, false, 0, 0);
	bch_cache_put(c);
}

/**
 * bch_devs_cache_added() - attach the devices a new cache should serve.
 * @c: the cache that appeared
 *
 * Every registered device without a cache asks bch_cache_for_uuid(), which
 * picks the cache; a device detached by the user stays uncached.
 *
 * Context: process context, bch_register_lock held; may block for I/O.
 */
void bch_devs_cache_added(struct cache_set *c)
{
	struct bcache_dev *d;

	lockdep_assert_held(&bch_register_lock);
	list_for_each_entry(d, &bch_devs, list)
		dev_attach(d);
}

/**
 * bch_devs_cache_removing() - detach every device from a departing cache.
 * @c: the cache
 *
 * @failed: the cache is disabled by errors, its data cannot be trusted
 *
 * Each device using @c stops issuing cache I/O, waits for what is in
 * flight, keeps its cached data (bch_cache_detach_dev(keep = true)) unless
 * @failed, and continues in passthrough.
 *
 * Context: process context, bch_register_lock held; may block.
 */
void bch_devs_cache_removing(struct cache_set *c, bool failed)
{
	struct bcache_dev *d;

	lockdep_assert_held(&bch_register_lock);
	list_for_each_entry(d, &bch_devs, list) {
		struct bch_attach *a;

		a = rcu_dereference_protected(d->att,
					      lockdep_is_held(&bch_register_lock));
		if (a && a->c == c)
			dev_detach(d, !failed);
	}
}

/**
 * bch_dev_detach_user() - the "detach" sysfs file: stop caching a device.
 * @d: device
 *
 * Drops the device's cached data and frees its slot; the device continues
 * in passthrough and does not attach again until it is registered again.
 *
 * Context: process context; takes bch_register_lock.
 * Return: 0, or -EINVAL if no cache is attached.
 */
int bch_dev_detach_user(struct bcache_dev *d)
{
	int ret = 0;

	mutex_lock(&bch_register_lock);
	if (!rcu_access_pointer(d->att)) {
		pr_err("bcache%d: detach: no cache is attached\n", d->idx);
		ret = -EINVAL;
	} else {
		d->user_detached = true;
		dev_detach(d, false);
	}
	mutex_unlock(&bch_register_lock);
	return ret;
}

static void dev_detach_work(struct work_struct *work)
{
	struct bcache_dev *d = container_of(work, struct bcache_dev,
					    detach_work);
	struct bch_attach *a;

	mutex_lock(&bch_register_lock);
	a = rcu_dereference_protected(d->att, lockdep_is_held(&bch_register_lock));
	if (a && READ_ONCE(a->broken)) {
		pr_err("bcache%d: cache %s failed an operation, detaching\n",
		       d->idx, bch_cache_name(a->c));
		dev_detach(d, false);
	}
	mutex_unlock(&bch_register_lock);
	kobject_put(&d->kobj);
}

/**
 * bch_dev_cache_broken() - the cache failed an operation for a device.
 * @a: the binding
 *
 * Reads stop using the cache at once; the device detaches (dropping its
 * cached data) from a worker.
 *
 * Context: any context.
 */
void bch_dev_cache_broken(struct bch_attach *a)
{
	struct bcache_dev *d = a->d;

	if (READ_ONCE(a->broken))
		return;
	WRITE_ONCE(a->broken, true);
	kobject_get(&d->kobj);
	if (!queue_work(bch_ctl_wq, &d->detach_work))
		kobject_put(&d->kobj);
}

/* ---- registration ------------------------------------------------------- */

/* Parse 32 hex digits, optionally separated by '-' or ':'. */
static int parse_uuid(const char **pp, u8 *uuid)
{
	static const u8 nil[BCH_UUID_LEN];
	const char *p = *pp;
	unsigned int n = 0;

	for (; *p && !isspace(*p); p++) {
		int v;

		if (*p == '-' || *p == ':')
			continue;
		v = hex_to_bin(*p);
		if (v < 0 || n >= 2 * BCH_UUID_LEN)
			return -EINVAL;
		if (n & 1)
			uuid[n / 2] |= v;
		else
			uuid[n / 2] = v << 4;
		n++;
	}
	if (n != 2 * BCH_UUID_LEN || !memcmp(uuid, nil, BCH_UUID_LEN))
		return -EINVAL;
	*pp = p;
	return 0;
}

static struct bcache_dev *dev_find(const u8 *uuid, dev_t devt)
{
	struct bcache_dev *d;

	lockdep_assert_held(&bch_register_lock);
	list_for_each_entry(d, &bch_devs, list)
		if ((uuid && !memcmp(d->uuid, uuid, BCH_UUID_LEN)) ||
		    (devt && d->bdev->bd_dev == devt))
			return d;
	return NULL;
}

static int dev_open(struct bcache_dev *d, const char *path)
{
	struct bcache_dev *o;
	dev_t devt;
	int ret;

	ret = lookup_bdev(path, &devt);
	if (ret == -ENOTBLK) {
		pr_err("register_dev: %s is not a block device\n", path);
		return ret;
	}
	if (ret) {
		pr_err("register_dev: cannot find %s (%pe)\n", path,
		       ERR_PTR(ret));
		return ret;
	}
	o = dev_find(NULL, devt);
	if (o) {
		pr_err("register_dev: %s is already registered as bcache%d\n",
		       path, o->idx);
		return -EBUSY;
	}

	d->bdev = blkdev_get_by_path(path, BCH_DEV_FMODE, d);
	if (IS_ERR(d->bdev)) {
		ret = PTR_ERR(d->bdev);
		d->bdev = NULL;
		if (ret == -EBUSY)
			pr_err("register_dev: %s is in use (a cache, or opened exclusively elsewhere)\n",
			       path);
		else
			pr_err("register_dev: cannot open %s (%pe)\n", path,
			       ERR_PTR(ret));
		return ret;
	}
	if (d->bdev->bd_disk->fops == &bch_dev_fops) {
		pr_err("register_dev: %s is a bcache device itself\n", path);
		ret = -EINVAL;
	} else if (bch_cache_owns_bdev(d->bdev)) {
		pr_err("register_dev: %s is a cache device\n", path);
		ret = -EBUSY;
	}
	if (ret) {
		blkdev_put(d->bdev, BCH_DEV_FMODE);
		d->bdev = NULL;
	}
	return ret;
}

static int dev_disk_create(struct bcache_dev *d)
{
	struct request_queue *q;
	struct gendisk *disk;

	disk = blk_alloc_disk(NUMA_NO_NODE);
	if (!disk)
		return -ENOMEM;
	disk->major = bch_major;
	disk->first_minor = d->idx * BCH_MINORS;
	disk->minors = BCH_MINORS;
	disk->fops = &bch_dev_fops;
	disk->private_data = d;
	snprintf(disk->disk_name, DISK_NAME_LEN, "bcache%d", d->idx);

	q = disk->queue;
	blk_set_stacking_limits(&q->limits);
	disk_stack_limits(disk, d->bdev, 0);
	blk_queue_write_cache(q, true, true);
	/* iostat for /dev/bcacheN; a bio-based queue starts without it. */
	blk_queue_flag_set(QUEUE_FLAG_IO_STAT, q);
	if (bdev_nowait(d->bdev))
		blk_queue_flag_set(QUEUE_FLAG_NOWAIT, q);
	if (bdev_nonrot(d->bdev))
		blk_queue_flag_set(QUEUE_FLAG_NONROT, q);
	set_capacity(disk, bdev_nr_sectors(d->bdev));
	d->disk = disk;
	return 0;
}

/* Step one of registration: open, create /dev/bcacheN, list. */
static struct bcache_dev *dev_create(const u8 *uuid, const char *path)
{
	struct bcache_dev *d;
	int ret;

	lockdep_assert_held(&bch_register_lock);
	if (dev_find(uuid, 0)) {
		pr_err("register_dev: uuid %pUb is already registered\n", uuid);
		return ERR_PTR(-EBUSY);
	}

	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return ERR_PTR(-ENOMEM);
	kobject_init(&d->kobj, &bch_dev_ktype);
	memcpy(d->uuid, uuid, BCH_UUID_LEN);
	INIT_LIST_HEAD(&d->list);
	init_completion(&d->pt_drained);
	INIT_WORK(&d->detach_work, dev_detach_work);
	bch_ranges_init(&d->ranges);
	d->cache_mode = BCH_MODE_WRITETHROUGH;
	d->seq_cutoff = BCH_SEQ_CUTOFF_DEFAULT;

	ret = dev_open(d, path);
	if (ret)
		goto err_put;

	ret = ida_alloc_max(&bch_dev_ida, BCH_MAX_DEVS - 1, GFP_KERNEL);
	if (ret < 0) {
		pr_err("register_dev: too many devices\n");
		goto err_close;
	}
	d->idx = ret;

	/*
	 * Atomic until the first attach attempt: if the cache is already
	 * there, killing the ref needs no RCU grace period.
	 */
	ret = percpu_ref_init(&d->pt_ref, pt_release,
			      PERCPU_REF_ALLOW_REINIT | PERCPU_REF_INIT_ATOMIC,
			      GFP_KERNEL);
	if (ret)
		goto err_ida;
	/* A failure only means the attach reads it again. */
	fp_start(d);

	ret = dev_disk_create(d);
	if (ret)
		goto err_ref;

	ret = add_disk(d->disk);
	if (ret) {
		pr_err("register_dev: cannot add bcache%d (%pe)\n", d->idx,
		       ERR_PTR(ret));
		goto err_put_disk;
	}
	ret = bd_link_disk_holder(d->bdev, d->disk);
	if (ret) {
		pr_err("register_dev: cannot link bcache%d as holder of %pg (%pe)\n",
		       d->idx, d->bdev, ERR_PTR(ret));
		goto err_del_disk;
	}

	list_add_tail(&d->list, &bch_devs);
	__module_get(THIS_MODULE);
	pr_info("bcache%d: registered %pg, uuid %pUb\n", d->idx, d->bdev,
		d->uuid);
	return d;

err_del_disk:
	del_gendisk(d->disk);
err_put_disk:
	put_disk(d->disk);
err_ref:
	fp_finish(d, NULL, NULL);
	percpu_ref_exit(&d->pt_ref);
err_ida:
	ida_free(&bch_dev_ida, d->idx);
err_close:
	blkdev_put(d->bdev, BCH_DEV_FMODE);
err_put:
	kobject_put(&d->kobj);
	return ERR_PTR(ret);
}

/* Undo dev_create() and any attach; the sysfs directory is gone. */
static void dev_destroy(struct bcache_dev *d)
{
	mutex_lock(&bch_register_lock);
	list_del(&d->list);
	bd_unlink_disk_holder(d->bdev, d->disk);
	del_gendisk(d->disk);
	/* No I/O can reach the device now: the fingerprint is final. */
	dev_detach(d, true);
	put_disk(d->disk);
	percpu_ref_exit(&d->pt_ref);
	blkdev_put(d->bdev, BCH_DEV_FMODE);
	ida_free(&bch_dev_ida, d->idx);
	pr_info("bcache%d: stopped\n", d->idx);
	mutex_unlock(&bch_register_lock);
	kobject_put(&d->kobj);
	module_put(THIS_MODULE);
}

static int dev_sysfs_add(struct bcache_dev *d)
{
	struct bch_stats *s;
	int ret;

	ret = kobject_add(&d->kobj, &disk_to_dev(d->disk)->kobj, "bcache");
	if (ret)
		return ret;
	s = bch_stats_create(&d->kobj);
	if (!s) {
		kobject_del(&d->kobj);
		return -ENOMEM;
	}
	/* Pairs with READ_ONCE() in the I/O path: initialised, then seen. */
	smp_store_release(&d->stats, s);
	kobject_uevent(&d->kobj, KOBJ_ADD);
	return 0;
}

static void dev_sysfs_del(struct bcache_dev *d)
{
	struct bch_stats *s = d->stats;

	WRITE_ONCE(d->stats, NULL);
	bch_stats_destroy(s);
	kobject_del(&d->kobj);
}

/**
 * bch_dev_register() - the register_dev control file.
 * @buf: "<uuid> <path>", optionally followed by a newline
 * @len: bytes in @buf
 *
 * Opens the backing device at <path> exclusively, creates /dev/bcacheN over
 * it and attaches it to a cache if one wants it.
 *
 * Context: process context; takes bch_register_lock.
 * Return: 0, or a negative errno after one pr_err() line naming the cause.
 */
int bch_dev_register(const char *buf, size_t len)
{
	u8 uuid[BCH_UUID_LEN];
	struct bcache_dev *d;
	const char *p;
	char *s, *path;
	int ret;

	if (len > BCH_REGISTER_MAX) {
		pr_err("register_dev: input too long\n");
		return -EINVAL;
	}
	if (strnlen(buf, len) != len) {
		pr_err("register_dev: input contains a NUL byte\n");
		return -EINVAL;
	}
	s = kstrndup(buf, len, GFP_KERNEL);
	if (!s)
		return -ENOMEM;

	p = skip_spaces(s);
	if (parse_uuid(&p, uuid)) {
		pr_err("register_dev: bad uuid (want 32 hex digits, then the path)\n");
		ret = -EINVAL;
		goto out;
	}
	path = strim((char *)p);
	if (!*path) {
		pr_err("register_dev: missing path after the uuid\n");
		ret = -ENOENT;
		goto out;
	}

	mutex_lock(&bch_register_lock);
	d = dev_create(uuid, path);
	mutex_unlock(&bch_register_lock);
	if (IS_ERR(d)) {
		ret = PTR_ERR(d);
		goto out;
	}

	ret = dev_sysfs_add(d);
	if (ret) {
		pr_err("register_dev: cannot create the sysfs files of bcache%d (%pe)\n",
		       d->idx, ERR_PTR(ret));
		fp_finish(d, NULL, NULL);
		dev_destroy(d);
		goto out;
	}

	mutex_lock(&bch_register_lock);
	dev_attach(d);
	/* Not attached: the read is stale by the next attach. */
	fp_finish(d, NULL, NULL);
	/* Attached or not, passthrough writes go per-CPU from now on. */
	percpu_ref_switch_to_percpu(&d->pt_ref);
	mutex_unlock(&bch_register_lock);
out:
	kfree(s);
	return ret;
}

/**
 * bch_dev_stop() - the "stop" sysfs file: remove /dev/bcacheN.
 * @d: device
 * @kobj: the kobject of the "stop" file
 * @attr: the "stop" attribute, whose active protection is broken so that
 *	the directory holding it can be removed from its own store method
 *
 * A clean stop: the device's cached data is kept, and the fingerprint taken
 * after the last write lets the next attach detect writes made while the
 * device was not registered.
 *
 * Context: process context (a sysfs store); takes bch_register_lock.
 * Return: 0, or -EBUSY if the device is open or already stopping.
 */
int bch_dev_stop(struct bcache_dev *d, struct kobject *kobj,
		 const struct attribute *attr)
{
	struct kernfs_node *kn;
	int ret = 0;

	mutex_lock(&d->disk->open_mutex);
	if (d->stopping) {
		pr_err("bcache%d: stop: already stopping\n", d->idx);
		ret = -EBUSY;
	} else if (disk_openers(d->disk)) {
		pr_err("bcache%d: stop: the device is open\n", d->idx);
		ret = -EBUSY;
	} else {
		d->stopping = true;
	}
	mutex_unlock(&d->disk->open_mutex);
	if (ret)
		return ret;

	kobject_get(&d->kobj);
	kn = sysfs_break_active_protection(kobj, attr);
	dev_sysfs_del(d);
	dev_destroy(d);
	if (kn)
		sysfs_unbreak_active_protection(kn);
	kobject_put(&d->kobj);
	return 0;
}

/* ---- module init / exit ----------------------------------------------------- */

/**
 * bch_front_init() - set up the front end at module load.
 *
 * Context: process context.
 * Return: 0 or a negative errno.
 */
int bch_front_init(void)
{
	int ret;

	bch_major = register_blkdev(0, "bcache");
	if (bch_major < 0)
		return bch_major;

	bch_ctl_wq = alloc_workqueue("bcache_ctl", 0, 0);
	if (!bch_ctl_wq) {
		ret = -ENOMEM;
		goto err_blkdev;
	}
	ret = bch_request_init();
	if (ret)
		goto err_wq;
	return 0;

err_wq:
	destroy_workqueue(bch_ctl_wq);
err_blkdev:
	unregister_blkdev(bch_major, "bcache");
	return ret;
}

/**
 * bch_front_exit() - tear down the front end at module unload.
 *
 * Every device holds a module reference, so none is left.
 *
 * Context: process context.
 */
void bch_front_exit(void)
{
	/* A stop may still be returning from dev_destroy(). */
	mutex_lock(&bch_register_lock);
	WARN_ON(!list_empty(&bch_devs));
	mutex_unlock(&bch_register_lock);
	destroy_workqueue(bch_ctl_wq);
	bch_request_exit();
	unregister_blkdev(bch_major, "bcache");
	ida_destroy(&bch_dev_ida);
}
