// SPDX-License-Identifier: GPL-2.0
/*
 * bcache: module entry points and the /sys/kernel/bcache control files.
 *
 * Copyright (C) 2026 The bcache authors.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "bcache.h"

/* Serialises registration and teardown; never taken on the I/O path. */
DEFINE_MUTEX(bch_register_lock);

static struct kobject *bcache_kobj;

#define REGISTER_PATH_MAX	1024

static ssize_t register_cache_store(struct kobject *kobj,
				    struct kobj_attribute *attr,
				    const char *buf, size_t count)
{
	char *path, *p;
	int ret;

	/*
	 * Messages quote the path: never a page of the writer's garbage.
	 * Device paths, even /dev/disk/by-path ones, are far shorter.
	 */
	if (count > REGISTER_PATH_MAX) {
		pr_err("register_cache: path of %zu bytes is too long\n", count);
		return -ENAMETOOLONG;
	}
	path = kstrndup(buf, count, GFP_KERNEL);
	if (!path)
		return -ENOMEM;
	if (strnlen(buf, count) != count) {
		pr_err("register_cache: path contains a NUL byte\n");
		ret = -EINVAL;
		goto out;
	}
	p = strim(path);
	if (!*p) {
		pr_err("register_cache: empty path\n");
		ret = -EINVAL;
		goto out;
	}
	ret = bch_cache_register(p);
out:
	kfree(path);
	return ret ? ret : count;
}

static ssize_t register_dev_store(struct kobject *kobj,
				  struct kobj_attribute *attr,
				  const char *buf, size_t count)
{
	int ret = bch_dev_register(buf, count);

	return ret ? ret : count;
}

static struct kobj_attribute register_cache_attr = __ATTR_WO(register_cache);
static struct kobj_attribute register_dev_attr = __ATTR_WO(register_dev);

static struct attribute *bcache_ctl_attrs[] = {
	&register_cache_attr.attr,
	&register_dev_attr.attr,
	NULL,
};

static const struct attribute_group bcache_ctl_group = {
	.attrs = bcache_ctl_attrs,
};

static int __init bcache_init(void)
{
	int ret;

	bcache_kobj = kobject_create_and_add("bcache", kernel_kobj);
	if (!bcache_kobj)
		return -ENOMEM;

	ret = bch_engine_init(bcache_kobj);
	if (ret)
		goto err_put;

	ret = bch_front_init();
	if (ret)
		goto err_engine;

	/* Last: registration may start as soon as the files exist. */
	ret = sysfs_create_group(bcache_kobj, &bcache_ctl_group);
	if (ret)
		goto err_front;

	pr_info("loaded\n");
	return 0;

err_front:
	bch_front_exit();
err_engine:
	bch_engine_exit();
err_put:
	kobject_put(bcache_kobj);
	return ret;
}

/*
 * Every registered cache and backing device holds a module reference, so
 * this only runs once all of them are gone: rmmod fails with EBUSY before.
 */
static void __exit bcache_exit(void)
{
	sysfs_remove_group(bcache_kobj, &bcache_ctl_group);
	bch_front_exit();
	bch_engine_exit();
	kobject_put(bcache_kobj);
	pr_info("unloaded\n");
}

module_init(bcache_init);
module_exit(bcache_exit);

MODULE_DESCRIPTION("bcache: a persistent SSD cache in front of a slow block device");
MODULE_AUTHOR("The bcache authors");
MODULE_LICENSE("GPL");
