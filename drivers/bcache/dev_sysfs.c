// SPDX-License-Identifier: GPL-2.0
/*
 * bcache: /sys/block/bcacheN/bcache/, one value per file.
 *
 * Documented in Documentation/ABI/testing/sysfs-block-bcache. Stores
 * validate their input and fail with an errno and one pr_err() line.
 *
 * Copyright (C) 2026 The bcache authors.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/kobject.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "dev.h"

static const char * const cache_modes[BCH_MODE_NR] = {
	[BCH_MODE_WRITETHROUGH]	= "writethrough",
	[BCH_MODE_WRITEAROUND]	= "writearound",
	[BCH_MODE_NONE]		= "none",
};

struct dev_attribute {
	struct attribute attr;
	ssize_t (*show)(struct bcache_dev *d, char *buf);
	ssize_t (*store)(struct bcache_dev *d, const struct attribute *attr,
			 const char *buf, size_t len);
};

#define DEV_ATTR_RO(_name) \
	static struct dev_attribute dev_attr_##_name = __ATTR_RO(_name)
#define DEV_ATTR_RW(_name) \
	static struct dev_attribute dev_attr_##_name = __ATTR_RW(_name)
#define DEV_ATTR_WO(_name) \
	static struct dev_attribute dev_attr_##_name = __ATTR_WO(_name)

static struct bcache_dev *to_dev(struct kobject *kobj)
{
	return container_of(kobj, struct bcache_dev, kobj);
}

/* Is @buf "1" (the value the write-only trigger files accept)? */
static int trigger(struct bcache_dev *d, const char *name, const char *buf)
{
	bool v;

	if (kstrtobool(buf, &v) || !v) {
		pr_err("bcache%d: %s: write 1\n", d->idx, name);
		return -EINVAL;
	}
	return 0;
}

/*
 * A byte count: decimal digits with an optional k, M or G suffix (powers
 * of 1024) and an optional newline. Negative numbers, garbage and values
 * that do not fit in 64 bits are rejected.
 */
static int parse_bytes(const char *buf, u64 *out)
{
	char s[32], *end;
	unsigned int shift = 0;
	size_t n;
	u64 v;
	int ret;

	if (strscpy(s, buf, sizeof(s)) < 0)
		return -EINVAL;
	end = strim(s);
	n = strlen(end);
	if (!n)
		return -EINVAL;
	switch (end[n - 1]) {
	case 'k': case 'K':
		shift = 10;
		break;
	case 'm': case 'M':
		shift = 20;
		break;
	case 'g': case 'G':
		shift = 30;
		break;
	}
	if (shift)
		end[n - 1] = '\0';
	ret = kstrtou64(end, 10, &v);
	if (ret)
		return ret;
	if (v > U64_MAX >> shift)
		return -ERANGE;
	*out = v << shift;
	return 0;
}

static ssize_t uuid_show(struct bcache_dev *d, char *buf)
{
	return sysfs_emit(buf, "%pUb\n", d->uuid);
}
DEV_ATTR_RO(uuid);

static ssize_t backing_dev_show(struct bcache_dev *d, char *buf)
{
	return sysfs_emit(buf, "%pg\n", d->bdev);
}
DEV_ATTR_RO(backing_dev);

static ssize_t cache_show(struct bcache_dev *d, char *buf)
{
	struct bch_attach *a = bch_att_get(d);
	ssize_t ret;

	if (!a)
		return sysfs_emit(buf, "none\n");
	ret = sysfs_emit(buf, "%s\n", bch_cache_name(a->c));
	bch_att_put(a);
	return ret;
}
DEV_ATTR_RO(cache);

static ssize_t state_show(struct bcache_dev *d, char *buf)
{
	struct bch_attach *a = bch_att_get(d);

	if (!a)
		return sysfs_emit(buf, "no cache\n");
	bch_att_put(a);
	return sysfs_emit(buf, "clean\n");
}
DEV_ATTR_RO(state);

static ssize_t io_errors_show(struct bcache_dev *d, char *buf)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&d->io_errors));
}
DEV_ATTR_RO(io_errors);

static ssize_t cache_mode_show(struct bcache_dev *d, char *buf)
{
	unsigned int cur = READ_ONCE(d->cache_mode), i;
	ssize_t n = 0;

	for (i = 0; i < BCH_MODE_NR; i++)
		n += sysfs_emit_at(buf, n, i == cur ? "%s[%s]" : "%s%s",
				   i ? " " : "", cache_modes[i]);
	n += sysfs_emit_at(buf, n, "\n");
	return n;
}

static ssize_t cache_mode_store(struct bcache_dev *d,
				const struct attribute *attr,
				const char *buf, size_t len)
{
	int mode = sysfs_match_string(cache_modes, buf);

	if (mode < 0) {
		pr_err("bcache%d: cache_mode: want writethrough, writearound or none\n",
		       d->idx);
		return -EINVAL;
	}
	WRITE_ONCE(d->cache_mode, mode);
	return len;
}
DEV_ATTR_RW(cache_mode);

static ssize_t sequential_cutoff_show(struct bcache_dev *d, char *buf)
{
	return sysfs_emit(buf, "%llu\n", READ_ONCE(d->seq_cutoff));
}

static ssize_t sequential_cutoff_store(struct bcache_dev *d,
				       const struct attribute *attr,
				       const char *buf, size_t len)
{
	u64 v;
	int ret = parse_bytes(buf, &v);

	if (ret) {
		pr_err("bcache%d: sequential_cutoff: want a byte count (k/M/G suffix allowed)\n",
		       d->idx);
		return ret;
	}
	WRITE_ONCE(d->seq_cutoff, v);
	return len;
}
DEV_ATTR_RW(sequential_cutoff);

static ssize_t detach_store(struct bcache_dev *d, const struct attribute *attr,
			    const char *buf, size_t len)
{
	int ret = trigger(d, "detach", buf);

	if (!ret)
		ret = bch_dev_detach_user(d);
	return ret ? ret : len;
}
DEV_ATTR_WO(detach);

static ssize_t stop_store(struct bcache_dev *d, const struct attribute *attr,
			  const char *buf, size_t len)
{
	int ret = trigger(d, "stop", buf);

	if (!ret)
		ret = bch_dev_stop(d, &d->kobj, attr);
	return ret ? ret : len;
}
DEV_ATTR_WO(stop);

static ssize_t clear_stats_store(struct bcache_dev *d,
				 const struct attribute *attr,
				 const char *buf, size_t len)
{
	int ret = trigger(d, "clear_stats", buf);
	struct bch_stats *s = READ_ONCE(d->stats);

	if (ret)
		return ret;
	if (s)
		bch_stats_clear(s);
	return len;
}
DEV_ATTR_WO(clear_stats);

static struct attribute *dev_attrs[] = {
	&dev_attr_uuid.attr,
	&dev_attr_backing_dev.attr,
	&dev_attr_cache.attr,
	&dev_attr_state.attr,
	&dev_attr_io_errors.attr,
	&dev_attr_cache_mode.attr,
	&dev_attr_sequential_cutoff.attr,
	&dev_attr_detach.attr,
	&dev_attr_stop.attr,
	&dev_attr_clear_stats.attr,
	NULL,
};
ATTRIBUTE_GROUPS(dev);

static ssize_t dev_attr_show(struct kobject *kobj, struct attribute *attr,
			     char *buf)
{
	struct dev_attribute *da = container_of(attr, struct dev_attribute,
						attr);

	return da->show ? da->show(to_dev(kobj), buf) : -EIO;
}

static ssize_t dev_attr_store(struct kobject *kobj, struct attribute *attr,
			      const char *buf, size_t len)
{
	struct dev_attribute *da = container_of(attr, struct dev_attribute,
						attr);

	return da->store ? da->store(to_dev(kobj), attr, buf, len) : -EIO;
}

static const struct sysfs_ops dev_sysfs_ops = {
	.show	= dev_attr_show,
	.store	= dev_attr_store,
};

static void dev_release(struct kobject *kobj)
{
	kfree(to_dev(kobj));
}

const struct kobj_type bch_dev_ktype = {
	.release	= dev_release,
	.sysfs_ops	= &dev_sysfs_ops,
	.default_groups	= dev_groups,
};
