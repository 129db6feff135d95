// SPDX-License-Identifier: GPL-2.0
/*
 * bcache engine: synchronous metadata I/O on the cache device.
 *
 * Metadata (superblock, uuid table, prio pages, journal entries, btree
 * bsets) is read and written through the cache set's own bio_set, from
 * buffers that may be kmalloc'ed or vmalloc'ed. Writes are issued by the
 * callers with the flags their ordering rules need (REQ_PREFLUSH|REQ_FUA
 * for everything that makes other data reachable).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bio.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>

#include "bcache.h"
#include "cache.h"

static struct page *buf_page(void *addr)
{
	return is_vmalloc_addr(addr) ? vmalloc_to_page(addr) :
				       virt_to_page(addr);
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
	bool first = true;
	size_t done = 0;
	int ret = 0;

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
	if (ret)
		atomic_inc(&c->io_errors);
	if (!ret && op_is_write(opf))
		atomic64_add(bytes >> SECTOR_SHIFT, &c->meta_written_sectors);
	return ret;
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
	pr_err_ratelimited("%s: %s I/O error at sector %llu: %d\n", c->name,
			   what, sector, err);
}
