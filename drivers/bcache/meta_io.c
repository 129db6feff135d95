// SPDX-License-Identifier: GPL-2.0
/*
 * bcache engine: synchronous metadata I/O on the cache device.
 *
 * Metadata (superblock, uuid table, prio pages, journal entries, btree
 * bsets) is read and written through the cache set's own bio_set, from
 * buffers that may be kmalloc'ed or vmalloc'ed. Writes are issued by the
 * callers with the flags their ordering rules need (REQ_PREFLUSH|REQ_FUA
 * for everything that makes other data reachable).
 *
 * A failed metadata write leaves the on-disk state behind the in-memory
 * one with no safe way to catch up: it disables the cache
 * (bch_cache_fail()), and from then on metadata writes fail at once
 * without I/O, so a dying device is not hammered and teardown cannot hang
 * on it. What is on disk is then a crash image, which registration
 * recovers from.
 *
 * Fault injection for crash-point tests (module parameters, see
 * Documentation/admin-guide/bcache.rst): fault_after=N arms a fault at the
 * Nth metadata write from now (counting from 0). With fault_stop=0 that one
 * write fails with -EIO; with fault_stop=1 it and every later write bcache
 * issues (metadata, cached data, backing writes) is dropped but reported
 * complete, as if the power failed at that instant.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bio.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "bcache.h"
#include "cache.h"

/* ---- fault injection -------------------------------------------------- */

static atomic_t fault_count = ATOMIC_INIT(0);
static int fault_after = -1;
static bool fault_stop;
static bool fault_frozen;

static int fault_after_set(const char *val, const struct kernel_param *kp)
{
	int ret = param_set_int(val, kp);

	if (ret)
		return ret;
	/* Re-arming restarts the count and thaws the writes. */
	atomic_set(&fault_count, 0);
	WRITE_ONCE(fault_frozen, false);
	return 0;
}

static const struct kernel_param_ops fault_after_ops = {
	.set	= fault_after_set,
	.get	= param_get_int,
};

module_param_cb(fault_after, &fault_after_ops, &fault_after, 0600);
MODULE_PARM_DESC(fault_after,
		 "testing: fault the Nth metadata write from now (-1: off)");
module_param(fault_stop, bool, 0600);
MODULE_PARM_DESC(fault_stop,
		 "testing: 0 fails the faulted write, 1 drops it and every later write");

static int fault_count_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&fault_count));
}

static const struct kernel_param_ops fault_count_ops = {
	.get	= fault_count_get,
};

module_param_cb(fault_count, &fault_count_ops, NULL, 0400);
MODULE_PARM_DESC(fault_count, "testing: metadata writes since fault_after was set");
module_param(fault_frozen, bool, 0400);
MODULE_PARM_DESC(fault_frozen, "testing: writes are being dropped (fault_stop)");

/**
 * bch_writes_frozen() - are cache writes being dropped (fault_stop)?
 *
 * Return: true after a fault_stop fault fired; the front end then completes
 * its cache data writes without issuing them.
 */
bool bch_writes_frozen(void)
{
	return READ_ONCE(fault_frozen);
}

/* Return: 1 to drop the write, a negative errno to fail it, else 0. */
static int fault_check(void)
{
	int n = atomic_inc_return(&fault_count) - 1;
	int after = READ_ONCE(fault_after);

	if (READ_ONCE(fault_frozen))
		return 1;
	if (after < 0 || n != after)
		return 0;
	if (READ_ONCE(fault_stop)) {
		WRITE_ONCE(fault_frozen, true);
		pr_warn("fault injection: metadata write %d and every later write dropped\n",
			n);
		return 1;
	}
	pr_warn("fault injection: metadata write %d fails\n", n);
	return -EIO;
}

/* ---- metadata I/O ---------------------------------------------------- */

/**
 * bch_meta_buf_alloc() - allocate a zeroed metadata buffer
 * @bytes: its size
 *
 * Above 8 KiB kmalloc hands out whole powers of two of pages: a 33 KiB
 * uuid table would take 64 KiB. A buffer that kmalloc would round up by a
 * page or more is vmalloc'ed instead, page-exact; bch_meta_rw() takes
 * either. Free it with kvfree().
 *
 * Context: process context, GFP_KERNEL.
 * Return: the buffer or NULL.
 */
void *bch_meta_buf_alloc(size_t bytes)
{
	if (kmalloc_size_roundup(bytes) - bytes >= PAGE_SIZE)
		return vzalloc(bytes);
	return kvzalloc(bytes, GFP_KERNEL);
}

static struct page *buf_page(void *addr)
{
	return is_vmalloc_addr(addr) ? vmalloc_to_page(addr) :
				       virt_to_page(addr);
}

static int meta_rw(struct cache_set *c, u64 sector, void *buf, size_t bytes,
		   blk_opf_t opf, bool failed_ok)
{
	bool first = true;
	size_t done = 0;
	int ret = 0;

	if (op_is_write(opf)) {
		if (bch_cache_failed(c) && !failed_ok)
			return -EIO;
		ret = fault_check();
		if (ret > 0)
			return 0;
		if (ret)
			goto out;
	}
	if (op_is_write(opf) && is_vmalloc_addr(buf))
		flush_kernel_vmap_range(buf, bytes);
	while (done < bytes && !ret) {
		size_t left = bytes - done;
		unsigned int nvec = min_t(size_t, BIO_MAX_VECS,
					  DIV_ROUND_UP(left, PAGE_SIZE) + 1);
		struct bio *bio;

		bio = bio_alloc_bioset(c->bdev, nvec, opf & ~(REQ_PREFLUSH |
							      REQ_FUA),
				       GFP_NOIO, &c->bio_set);
		bio->bi_iter.bi_sector = sector + (done >> SECTOR_SHIFT);
		while (done < bytes) {
			void *p = buf + done;
			unsigned int off = offset_in_page(p);
			unsigned int len = min_t(size_t, PAGE_SIZE - off,
						 bytes - done);

			if (!bio_add_page(bio, buf_page(p), len, off))
				break;
			done += len;
		}
		if (first && (opf & REQ_PREFLUSH))
			bio->bi_opf |= REQ_PREFLUSH;
		if (done == bytes && (opf & REQ_FUA))
			bio->bi_opf |= REQ_FUA;
		first = false;
		ret = submit_bio_wait(bio);
		bio_put(bio);
	}
	if (!op_is_write(opf) && is_vmalloc_addr(buf))
		invalidate_kernel_vmap_range(buf, bytes);
out:
	if (ret && op_is_write(opf))
		bch_cache_fail(c, "a metadata write failed");
	else if (ret)
		bch_cache_io_error(c, ret);
	if (!ret && op_is_write(opf))
		atomic64_add(bytes >> SECTOR_SHIFT, &c->meta_written_sectors);
	return ret;
}

/**
 * bch_meta_rw() - read or write metadata synchronously
 * @c: cache set
 * @sector: first sector on the cache device
 * @buf: buffer, sector aligned in length
 * @bytes: length
 * @opf: REQ_OP_READ or REQ_OP_WRITE plus flags
 *
 * Large buffers are split into several bios; flush flags go on the first
 * (REQ_PREFLUSH) and last (REQ_FUA) of them only.
 *
 * Context: process context, may sleep; no allocation can fail (bio_set).
 * Return: 0 or a negative errno.
 */
int bch_meta_rw(struct cache_set *c, u64 sector, void *buf, size_t bytes,
		blk_opf_t opf)
{
	return meta_rw(c, sector, buf, bytes, opf, false);
}

/**
 * bch_meta_write_failed() - a last metadata write to a failed cache
 * @c: cache set, possibly failed
 * @sector: first sector on the cache device
 * @buf: buffer
 * @bytes: length
 * @opf: REQ_OP_WRITE plus flags
 *
 * Like bch_meta_rw(), but tried even when the cache has failed: for the
 * uuid table write that tells a later registration to drop a device's data.
 *
 * Context: process context, may sleep.
 * Return: 0 or a negative errno.
 */
int bch_meta_write_failed(struct cache_set *c, u64 sector, void *buf,
			  size_t bytes, blk_opf_t opf)
{
	return meta_rw(c, sector, buf, bytes, opf, true);
}

/**
 * bch_meta_error() - report a metadata I/O error once per call site
 * @c: cache set
 * @what: the structure ("journal", "btree node", ...)
 * @sector: where
 * @err: the errno
 */
void bch_meta_error(struct cache_set *c, const char *what, u64 sector,
		    int err)
{
	if (bch_cache_failed(c))
		return;		/* already reported, nothing is written now */
	pr_err_ratelimited("%s: %s I/O error at sector %llu: %d\n", c->name,
			   what, sector, err);
}
