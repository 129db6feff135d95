// SPDX-License-Identifier: GPL-2.0
/*
 * bcache engine: the uuid table and attaching backing devices.
 *
 * The table maps a backing device's uuid to its device id (the top byte
 * of its keys). A uuid keeps its slot forever (until "detach" forgets the
 * device), so the same device always finds its cached data again. Every
 * change is written before the call returns: the whole table goes to the
 * slot holding the older copy, with seq + 1, REQ_PREFLUSH|REQ_FUA.
 *
 * Ordering rules:
 *  - an entry is marked CLEAN only after the journal is durable up to
 *    every insert and invalidation of the device;
 *  - when a CLEAN device comes back changed (size or fingerprint), its
 *    cached data is invalidated and the invalidation is durable before
 *    the entry says ATTACHED again;
 *  - a slot is freed only after the device's data is durably invalidated.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ktime.h>
#include <linux/timekeeping.h>

#include "bcache.h"
#include "cache.h"

static int uuid_write(struct cache_set *c, bool failed_ok)
{
	size_t bytes = (size_t)c->g.uuid_slot_sectors << SECTOR_SHIFT;
	unsigned int slot = !c->uuid_slot;
	u64 seq = c->uuid_seq + 1;
	u64 sector = bch_uuid_slot_sector(&c->g, slot);
	blk_opf_t opf = REQ_OP_WRITE | REQ_PREFLUSH | REQ_FUA;
	int ret;

	lockdep_assert_held(&c->uuid_lock);
	ret = bch_uuid_set_seal(c->uuids, bytes, &c->g, slot, seq);
	if (!ret && failed_ok)
		ret = bch_meta_write_failed(c, sector, c->uuids, bytes, opf);
	else if (!ret)
		ret = bch_meta_rw(c, sector, c->uuids, bytes, opf);
	if (ret) {
		pr_err("%s: cannot write the uuid table: %d\n", c->name, ret);
		return ret;
	}
	c->uuid_slot = slot;
	WRITE_ONCE(c->uuid_seq, seq);
	return 0;
}

/* Drop every cached extent of @dev_id, durably. */
static int invalidate_dev(struct cache_set *c, u8 dev_id)
{
	u64 seq;
	int ret;

	ret = bch_cache_invalidate(c, dev_id, 0, BCH_KEY_END_MAX, &seq, true);
	if (ret < 0) {
		pr_err("%s: cannot invalidate device %u: %d\n", c->name,
		       dev_id, ret);
		return ret;
	}
	ret = bch_journal_flush(c);
	if (ret)
		pr_err("%s: cannot journal the invalidation of device %u: %d\n",
		       c->name, dev_id, ret);
	return ret;
}

/**
 * bch_cache_for_uuid() - choose the cache for a backing device.
 * @uuid: the backing device's uuid
 * @dev_id: set to the device id (uuid table slot) on success
 *
 * Context: process context, bch_register_lock held; may block for I/O.
 * Return: a referenced cache (drop with bch_cache_put()), or NULL.
 */
struct cache_set *bch_cache_for_uuid(const u8 *uuid, u8 *dev_id)
{
	struct bch_uuid_entry *e;
	struct cache_set *c;
	int id;

	lockdep_assert_held(&bch_register_lock);
	list_for_each_entry(c, &bch_caches, list) {
		if (bch_cache_failed(c))
			continue;
		mutex_lock(&c->uuid_lock);
		id = bch_uuid_lookup(c->uuids, uuid);
		mutex_unlock(&c->uuid_lock);
		if (id >= 0)
			goto found;
	}
	list_for_each_entry(c, &bch_caches, list) {
		if (bch_cache_failed(c))
			continue;
		mutex_lock(&c->uuid_lock);
		id = bch_uuid_free_slot(c->uuids);
		if (id < 0) {
			mutex_unlock(&c->uuid_lock);
			continue;
		}
		e = &c->uuids->entries[id];
		memcpy(e->uuid, uuid, BCH_UUID_LEN);
		e->state = cpu_to_le32(BCH_UUID_ATTACHED);
		e->first_reg = cpu_to_le64(ktime_get_real_seconds());
		e->last_reg = e->first_reg;
		if (uuid_write(c, false)) {
			memset(e, 0, sizeof(*e));
			mutex_unlock(&c->uuid_lock);
			return NULL;
		}
		mutex_unlock(&c->uuid_lock);
		goto found;
	}
	return NULL;
found:
	*dev_id = id;
	bch_cache_get(c);
	return c;
}

/**
 * bch_cache_attach_check() - decide whether a device's cached data is valid.
 * @c: cache
 * @dev_id: device id
 * @sectors: current size of the backing device
 * @fp_csum: bch_fingerprint() of the first @fp_len bytes of the device
 * @fp_len: bytes fingerprinted
 *
 * Context: process context, bch_register_lock held; may block for I/O.
 * Return: 0 or a negative errno.
 */
int bch_cache_attach_check(struct cache_set *c, u8 dev_id, u64 sectors,
			   u32 fp_csum, u32 fp_len)
{
	struct bch_uuid_entry *e = &c->uuids->entries[dev_id];
	int ret = 0;

	mutex_lock(&c->uuid_lock);
	if (le32_to_cpu(e->state) == BCH_UUID_NONE) {
		ret = -ENOENT;
		goto out;
	}
	if (le32_to_cpu(e->state) == BCH_UUID_CLEAN &&
	    (le64_to_cpu(e->sectors) != sectors ||
	     le32_to_cpu(e->fp_csum) != fp_csum ||
	     le32_to_cpu(e->fp_len) != fp_len)) {
		pr_info("%s: device %u changed while detached, dropping its cached data\n",
			c->name, dev_id);
		ret = invalidate_dev(c, dev_id);
		if (ret)
			goto out;
	}
	e->state = cpu_to_le32(BCH_UUID_ATTACHED);
	e->sectors = cpu_to_le64(sectors);
	e->last_reg = cpu_to_le64(ktime_get_real_seconds());
	ret = uuid_write(c, false);
out:
	mutex_unlock(&c->uuid_lock);
	return ret;
}

/**
 * bch_cache_detach_dev() - a backing device stops using the cache.
 * @c: cache
 * @dev_id: device id
 * @keep: keep the data and mark the entry CLEAN, else forget the device
 * @fp_csum: fingerprint taken after the last write reached the device
 * @fp_len: bytes fingerprinted
 *
 * Context: process context, bch_register_lock held; may block for I/O.
 */
void bch_cache_detach_dev(struct cache_set *c, u8 dev_id, bool keep,
			  u32 fp_csum, u32 fp_len)
{
	struct bch_uuid_entry *e = &c->uuids->entries[dev_id];

	mutex_lock(&c->uuid_lock);
	if (le32_to_cpu(e->state) == BCH_UUID_NONE)
		goto out;
	if (keep) {
		if (bch_journal_flush(c))
			goto out;	/* stays ATTACHED: replay decides */
		if (fp_len > BCH_FP_MAX_BYTES || fp_len % BCH_SECTOR_SIZE)
			fp_len = 0;
		e->state = cpu_to_le32(BCH_UUID_CLEAN);
		e->fp_len = cpu_to_le32(fp_len);
		e->fp_csum = cpu_to_le32(fp_len ? fp_csum : 0);
	} else if (invalidate_dev(c, dev_id)) {
		/*
		 * The cached data may still be reachable on disk, and the
		 * device is about to be written without the cache. Mark the
		 * entry so that the next attach drops it: CLEAN with a size
		 * no device has. One try, even on a failed cache.
		 */
		e->state = cpu_to_le32(BCH_UUID_CLEAN);
		e->sectors = 0;
		e->fp_len = 0;
		e->fp_csum = 0;
		if (uuid_write(c, true))
			pr_err("%s: device %u: cached data may be stale, reformat the cache before reusing it\n",
			       c->name, dev_id);
		goto out;
	} else {
		memset(e, 0, sizeof(*e));
	}
	uuid_write(c, false);
out:
	mutex_unlock(&c->uuid_lock);
}
