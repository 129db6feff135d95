/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bcache front end: backing devices, /dev/bcacheN and request routing.
 *
 * Objects
 * =======
 *
 * struct bcache_dev is one registered backing device and its /dev/bcacheN.
 * Its memory belongs to the embedded kobject (/sys/block/bcacheN/bcache/):
 * the kobject's release frees it. It lives on bch_devs, under
 * bch_register_lock, from register_dev until stop.
 *
 * struct bch_attach is one binding of a device to a cache (a uuid table
 * slot). It is published in bcache_dev.att under RCU and carries a
 * percpu_ref: every request that touches the cache (hit, fill, invalidation,
 * writethrough copy, insert) holds a reference from the moment it decides to
 * use the cache until its last cache operation is done. Detach unpublishes
 * the binding, kills the ref and waits for it to drain, so no lock is taken
 * on the I/O path and no cache I/O is issued after bch_cache_detach_dev().
 *
 * Writes issued while no binding exists ("passthrough writes") hold
 * bcache_dev.pt_ref instead. When a cache attaches to a live device, the
 * new binding starts "not ready" (writes invalidate, reads do not use the
 * cache), pt_ref is killed and drained, cached data the device may have had
 * from an earlier session is dropped if anything was written meanwhile, and
 * only then is the binding made ready. Without that drain a fill could read
 * the backing device while an untracked passthrough write to the same range
 * is still in flight, and cache the old data. This is why a passthrough
 * write costs one bio clone; a passthrough read is a plain remap (of the
 * accounting clone, while iostats is on: see request.c).
 *
 * struct bch_req is the state of one cached request, from a mempool. It
 * lives until the request's last cache operation (e.g. the insert of a read
 * fill, which happens after the user's bio completed).
 *
 * The fingerprint of a backing device is bch_fingerprint() of its first
 * fp_len bytes, computed page by page (crc32c chains).
 */
#ifndef _BCACHE_DEV_H
#define _BCACHE_DEV_H

#include <linux/bio.h>
#include <linux/interval_tree.h>
#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/percpu-refcount.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "bcache.h"

/* ---- range tracker (range.c), correctness rule 2 ---------------------- */

/* The in-flight fills and writes of one device. */
struct bch_ranges {
	spinlock_t		lock;	/* protects root and the entries' valid */
	struct rb_root_cached	root;
};

/* One in-flight fill or write. */
struct bch_range {
	struct interval_tree_node node;
	struct bch_ranges	*t;
	bool			write;
	bool			valid;	/* its data may still be inserted */
	bool			added;
};

void bch_ranges_init(struct bch_ranges *t);
void bch_range_add(struct bch_ranges *t, struct bch_range *r, u64 sector,
		   u64 sectors, bool write);
void bch_range_del(struct bch_range *r);
bool bch_range_check(void *arg);

/* ---- statistics (stats.c) ---------------------------------------------- */

void bch_stats_bypassed(struct bch_stats *s, unsigned int sectors);

/* ---- devices (dev.c) ------------------------------------------------------ */

#define BCH_SEQ_BITS		6

/* The end of a recent I/O stream and its length so far (bytes). */
struct bch_seq {
	u64			end;
	u64			bytes;
};

struct bch_attach {
	struct percpu_ref	ref;
	struct cache_set	*c;
	struct bcache_dev	*d;
	u8			dev_id;
	bool			ready;	/* reads and inserts may use the cache */
	bool			broken;	/* the cache failed an operation */
	struct completion	drained;
};

struct bcache_dev {
	struct kobject		kobj;		/* .../bcacheN/bcache/ */
	struct list_head	list;		/* on bch_devs */
	u8			uuid[BCH_UUID_LEN];
	int			idx;		/* N of bcacheN */
	struct block_device	*bdev;		/* backing device */
	struct gendisk		*disk;
	struct bch_stats	*stats;

	struct bch_attach __rcu	*att;
	struct percpu_ref	pt_ref;		/* passthrough writes */
	struct completion	pt_drained;
	bool			written;	/* by a passthrough write */
	struct bio		*fp_bio;	/* fingerprint read, until attach */
	struct completion	fp_done;
	atomic_t		io_errors;	/* backing errors seen */
	bool			user_detached;	/* "detach": stay uncached */
	bool			stopping;	/* no new opens */
	struct work_struct	detach_work;	/* after a cache failure */

	struct bch_ranges	ranges;

	/* Written at runtime from sysfs, read locklessly. */
	unsigned int		cache_mode;	/* enum bch_cache_mode */
	u64			seq_cutoff;	/* bytes, 0: off */
	struct bch_seq		seq[1 << BCH_SEQ_BITS];
};

extern const struct block_device_operations bch_dev_fops;

int bch_dev_detach_user(struct bcache_dev *d);
int bch_dev_stop(struct bcache_dev *d, struct kobject *kobj,
		 const struct attribute *attr);
void bch_dev_cache_broken(struct bch_attach *a);

/* ---- sysfs (dev_sysfs.c) -------------------------------------------------- */

extern const struct kobj_type bch_dev_ktype;

/* ---- requests (request.c, write.c) ------------------------------------ */

/*
 * Pieces of one request: the cached extents of a read hit, or the SSD space
 * of a writethrough copy (extents never cross a bucket, so a request over
 * small extents needs many). Every I/O allocates a request, and the slab
 * zeroes it (init_on_alloc), so only BCH_INLINE_PIECES live in it; a request
 * needing more takes an array of BCH_MAX_PIECES from a pool without waiting
 * (bch_req_grow()). A read needing more than it can get is split after the
 * pieces it holds; a write is then not copied.
 */
#define BCH_INLINE_PIECES	4
#define BCH_MAX_PIECES		32

struct bch_req {
	struct bcache_dev	*d;
	struct bch_attach	*a;		/* referenced, or NULL */
	struct bio		*orig;
	struct bvec_iter	iter;		/* orig's, at submission */
	struct bio		*clone;		/* to the backing device */
	struct bio		*fill;		/* pages of a read fill */
	/* orig's own, while orig itself is remapped to the SSD */
	bio_end_io_t		*end_io;
	void			*private;
	struct block_device	*bdev;
	struct bch_range	range;
	struct bch_jwait	jw;
	struct work_struct	work;
	atomic_t		remaining;
	u64			wseq;		/* backing writes a flush covers */
	blk_status_t		status;		/* of the backing I/O */
	blk_status_t		ssd_status;	/* of the cache I/O */
	unsigned long		acct_start;	/* of orig's accounting */
	bool			acct;		/* its end is still due */
	bool			bypass;
	bool			copy;		/* writethrough copy wanted */
	unsigned int		nr;		/* hits or grants */
	unsigned int		max;		/* room in hits[] or sp[] */
	union {					/* hit_in[] or pooled */
		struct bch_hit		*hits;
		struct bch_space	*sp;
	};
	union {
		struct bch_hit		hit_in[BCH_INLINE_PIECES];
		struct bch_space	sp_in[BCH_INLINE_PIECES];
	};
};

extern struct bio_set bch_clone_bs;
extern struct workqueue_struct *bch_io_wq;

void bch_submit_bio(struct bio *bio);
int bch_request_init(void);
void bch_request_exit(void);

struct bch_req *bch_req_alloc(struct bcache_dev *d, struct bch_attach *a,
			      struct bio *bio);
void bch_req_acct_start(struct bch_req *req);
void bch_req_acct_end(struct bch_req *req);
void bch_req_free(struct bch_req *req);
bool bch_req_grow(struct bch_req *req);
struct bio *bch_acct_wrap(struct bio *bio);
bool bch_req_aligned(struct bch_req *req);
bool bch_seq_bypass(struct bcache_dev *d, struct bio *bio);
void bch_write(struct bcache_dev *d, struct bio *bio, bool acct);

/* Attach helpers. */
struct bch_attach *bch_att_get(struct bcache_dev *d);
void bch_att_put(struct bch_attach *a);

#endif /* _BCACHE_DEV_H */
