// SPDX-License-Identifier: GPL-2.0
/*
 * bcache: module entry points and the /sys/kernel/bcache control files.
 *
 * Copyright (C) 2026 The bcache authors.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/sysfs.h>

static struct kobject *bcache_kobj;

/*
 * Registration is not implemented yet: fail honestly instead of pretending.
 * The kernel core replaces these handlers.
 */
static ssize_t register_cache_store(struct kobject *kobj,
				    struct kobj_attribute *attr,
				    const char *buf, size_t count)
{
	pr_err("register_cache: cache registration is not implemented yet\n");
	return -EOPNOTSUPP;
}

static ssize_t register_dev_store(struct kobject *kobj,
				  struct kobj_attribute *attr,
				  const char *buf, size_t count)
{
	pr_err("register_dev: backing device registration is not implemented yet\n");
	return -EOPNOTSUPP;
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

	ret = sysfs_create_group(bcache_kobj, &bcache_ctl_group);
	if (ret)
		goto err_put;

	pr_info("loaded\n");
	return 0;

err_put:
	kobject_put(bcache_kobj);
	return ret;
}

static void __exit bcache_exit(void)
{
	sysfs_remove_group(bcache_kobj, &bcache_ctl_group);
	kobject_put(bcache_kobj);
	pr_info("unloaded\n");
}

module_init(bcache_init);
module_exit(bcache_exit);

MODULE_DESCRIPTION("bcache: a persistent SSD cache in front of a slow block device");
MODULE_AUTHOR("The bcache authors");
MODULE_LICENSE("GPL");
