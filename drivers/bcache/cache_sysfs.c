// SPDX-License-Identifier: GPL-2.0
/*
 * bcache engine: /sys/kernel/bcache/<cache>/.
 *
 * One value per file (Documentation/ABI/testing/sysfs-kernel-bcache).
 * Writes validate their input and fail with an errno and one pr_err()
 * line. unregister removes the directory it lives in, so it breaks sysfs
 * active protection for the duration of the teardown.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kobject.h>
#include <linux/sysfs.h>

#include "bcache.h"
#include "cache.h"

static struct cache_set *to_cache(struct kobject *kobj)
{
	return container_of(kobj, struct cache_set, kobj);
}

#define CACHE_SHOW(name, fmt, expr)					\
static ssize_t name##_show(struct kobject *kobj,			\
			   struct kobj_attribute *attr, char *buf)	\
{									\
	struct cache_set *c = to_cache(kobj);				\
									\
	return sysfs_emit(buf, fmt "\n", expr);				\
}									\
static struct kobj_attribute name##_attr = __ATTR_RO(name)

CACHE_SHOW(bucket_size, "%u", c->g.bucket_sectors << SECTOR_SHIFT);
CACHE_SHOW(block_size, "%u", c->g.block_sectors << SECTOR_SHIFT);
CACHE_SHOW(nbuckets, "%llu", c->g.nbuckets);
CACHE_SHOW(btree_depth, "%u", READ_ONCE(c->btree_depth));
CACHE_SHOW(gc_runs, "%u", READ_ONCE(c->gc_runs));
CACHE_SHOW(io_errors, "%d", atomic_read(&c->io_errors));
CACHE_SHOW(written, "%llu",
	   (u64)atomic64_read(&c->written_sectors) << SECTOR_SHIFT);
CACHE_SHOW(btree_written, "%llu",
	   (u64)atomic64_read(&c->meta_written_sectors) << SECTOR_SHIFT);
CACHE_SHOW(uuid, "%pU", c->set_uuid);

/* Show @count(c) while the cache is registered, under bch_register_lock. */
static ssize_t show_registered(struct kobject *kobj, char *buf,
			       u64 (*count)(struct cache_set *c))
{
	struct cache_set *c = to_cache(kobj);
	ssize_t ret = -ENODEV;

	mutex_lock(&bch_register_lock);
	if (c->registered)
		ret = sysfs_emit(buf, "%llu\n", count(c));
	mutex_unlock(&bch_register_lock);
	return ret;
}

static ssize_t buckets_used_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	return show_registered(kobj, buf, bch_buckets_used);
}

static struct kobj_attribute buckets_used_attr = __ATTR_RO(buckets_used);

static ssize_t buckets_free_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	return show_registered(kobj, buf, bch_buckets_free);
}

static struct kobj_attribute buckets_free_attr = __ATTR_RO(buckets_free);

static ssize_t btree_nodes_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	struct cache_set *c = to_cache(kobj);
	ssize_t ret = -ENODEV;
	u64 b, n = 0;

	mutex_lock(&bch_register_lock);
	if (c->registered) {
		for (b = c->g.data_bucket; b < c->g.nbuckets; b++)
			n += READ_ONCE(c->buckets[b].type) ==
				BCH_BUCKET_BTREE &&
			     !(READ_ONCE(c->buckets[b].flags) &
			       BCH_BF_FREE_LIST);
		ret = sysfs_emit(buf, "%llu\n", n);
	}
	mutex_unlock(&bch_register_lock);
	return ret;
}

static struct kobj_attribute btree_nodes_attr = __ATTR_RO(btree_nodes);

static ssize_t btree_cache_nodes_show(struct kobject *kobj,
				      struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(to_cache(kobj)->nr_nodes));
}

static struct kobj_attribute btree_cache_nodes_attr =
	__ATTR_RO(btree_cache_nodes);

static ssize_t dirty_nodes_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	struct cache_set *c = to_cache(kobj);
	struct list_head *p;
	u64 n = 0;

	spin_lock(&c->node_lock);
	list_for_each(p, &c->dirty_list)
		n++;
	spin_unlock(&c->node_lock);
	return sysfs_emit(buf, "%llu\n", n);
}

static struct kobj_attribute dirty_nodes_attr = __ATTR_RO(dirty_nodes);

static ssize_t bad_nodes_show(struct kobject *kobj, struct kobj_attribute *attr,
			      char *buf)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&to_cache(kobj)->bad_nodes));
}

static struct kobj_attribute bad_nodes_attr = __ATTR_RO(bad_nodes);

static ssize_t discard_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(to_cache(kobj)->discard));
}

static ssize_t discard_store(struct kobject *kobj, struct kobj_attribute *attr,
			     const char *buf, size_t count)
{
	struct cache_set *c = to_cache(kobj);
	bool on;
	int ret;

	if (kstrtobool(buf, &on)) {
		pr_err("%s: discard: expected 0 or 1\n", c->name);
		return -EINVAL;
	}
	mutex_lock(&bch_register_lock);
	ret = c->registered ? bch_cache_set_discard(c, on) : -ENODEV;
	mutex_unlock(&bch_register_lock);
	return ret ? ret : count;
}

static struct kobj_attribute discard_attr = __ATTR_RW(discard);

static ssize_t trigger_gc_store(struct kobject *kobj,
				struct kobj_attribute *attr, const char *buf,
				size_t count)
{
	struct cache_set *c = to_cache(kobj);
	u32 target;
	bool on;

	if (kstrtobool(buf, &on) || !on) {
		pr_err("%s: trigger_gc: expected 1\n", c->name);
		return -EINVAL;
	}
	if (bch_cache_failed(c)) {
		pr_err("%s: trigger_gc: the cache has failed\n", c->name);
		return -EIO;
	}
	/* A pass already running may have missed changes: wait for a new one. */
	target = READ_ONCE(c->gc_runs) + (READ_ONCE(c->gc_running) ? 2 : 1);
	bch_gc_kick(c);
	if (wait_event_interruptible(c->gc_wait,
				     (s32)(READ_ONCE(c->gc_runs) - target) >= 0 ||
				     READ_ONCE(c->stopping) ||
				     bch_cache_failed(c)))
		return -EINTR;
	return bch_cache_failed(c) ? -EIO : count;
}

static struct kobj_attribute trigger_gc_attr = __ATTR_WO(trigger_gc);

static ssize_t io_error_limit_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(to_cache(kobj)->io_error_limit));
}

static ssize_t io_error_limit_store(struct kobject *kobj,
				    struct kobj_attribute *attr,
				    const char *buf, size_t count)
{
	struct cache_set *c = to_cache(kobj);
	u32 v;

	if (kstrtou32(buf, 10, &v)) {
		pr_err("%s: io_error_limit: expected a number of errors (0: no limit)\n",
		       c->name);
		return -EINVAL;
	}
	WRITE_ONCE(c->io_error_limit, v);
	if (v && atomic_read(&c->io_errors) >= v)
		bch_cache_fail(c, "io_error_limit lowered below io_errors");
	return count;
}

static struct kobj_attribute io_error_limit_attr = __ATTR_RW(io_error_limit);

static ssize_t state_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  bch_cache_failed(to_cache(kobj)) ? "failed" : "running");
}

static struct kobj_attribute state_attr = __ATTR_RO(state);

static ssize_t unregister_store(struct kobject *kobj,
				struct kobj_attribute *attr, const char *buf,
				size_t count)
{
	struct cache_set *c = to_cache(kobj);
	struct kernfs_node *kn;
	bool on;

	if (kstrtobool(buf, &on) || !on) {
		pr_err("%s: unregister: expected 1\n", c->name);
		return -EINVAL;
	}
	/* The teardown removes this very file. */
	kn = sysfs_break_active_protection(kobj, &attr->attr);
	bch_cache_get(c);
	mutex_lock(&bch_register_lock);
	bch_cache_unregister(c);
	mutex_unlock(&bch_register_lock);
	if (kn)
		sysfs_unbreak_active_protection(kn);
	bch_cache_put(c);
	return count;
}

static struct kobj_attribute unregister_attr = __ATTR_WO(unregister);

static struct attribute *cache_attrs[] = {
	&bucket_size_attr.attr,
	&block_size_attr.attr,
	&nbuckets_attr.attr,
	&buckets_used_attr.attr,
	&buckets_free_attr.attr,
	&uuid_attr.attr,
	&btree_nodes_attr.attr,
	&btree_depth_attr.attr,
	&btree_cache_nodes_attr.attr,
	&dirty_nodes_attr.attr,
	&bad_nodes_attr.attr,
	&written_attr.attr,
	&btree_written_attr.attr,
	&gc_runs_attr.attr,
	&discard_attr.attr,
	&unregister_attr.attr,
	&trigger_gc_attr.attr,
	&io_errors_attr.attr,
	&io_error_limit_attr.attr,
	&state_attr.attr,
	NULL,
};

static const struct attribute_group cache_group = {
	.attrs = cache_attrs,
};

const struct attribute_group *bch_cache_groups[] = {
	&cache_group,
	NULL,
};
