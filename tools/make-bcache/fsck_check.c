// SPDX-License-Identifier: GPL-2.0
/*
 * bcache-fsck: cross-checks of the extents the kernel would hold after
 * replaying the journal, and of the buckets they and the btree use.
 *
 * A pointer whose gen differs from its bucket's gen is stale: the kernel
 * ignores it and GC drops it; that is normal and only counted. A pointer
 * whose gen is *newer* than its bucket's (in 8-bit modular order, or more
 * than 127 behind it) cannot come from the allocator: the gens went back
 * (a prio page rolled back) or GC let a gen wrap. A live pointer must point
 * into a bucket typed data, belong to a device with a uuid entry, and share
 * no cache sector with any other live extent: two extents on the same cache
 * sectors mean one of them returns the other's data.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fsck.h"

struct cext {
	u64		sector;		/* on the cache device */
	u64		raw;		/* key */
	u32		size;
};

static const char *const bucket_types[] = { "free", "metadata", "btree",
					    "data" };

static int cext_cmp(const void *a, const void *b)
{
	const struct cext *x = a, *y = b;

	if (x->sector != y->sector)
		return x->sector < y->sector ? -1 : 1;
	return x->raw < y->raw ? -1 : x->raw > y->raw;
}

static const char *ext_desc(const struct bch_key *k, char *buf, size_t len)
{
	char pos[32];

	snprintf(buf, len, "extent %s+%u at cache sector %llu gen %u",
		 fsck_pos(bch_key_raw(k), pos, sizeof(pos)), bch_ptr_size(k),
		 bch_ptr_sector(k), bch_ptr_gen(k));
	return buf;
}

/* Classify one extent; true if it is live (and passed to the lists). */
static bool check_extent(struct fsck *f, const struct bch_key *k,
			 u32 *used)
{
	u64 sector = bch_ptr_sector(k);
	u64 b = bch_sector_to_bucket(&f->g, sector);
	u32 size = bch_ptr_size(k);
	const struct bch_prio *p = &f->prio[b];
	u8 dev = bch_key_dev(k);
	char desc[96];

	if (b < f->g.data_bucket || b >= f->g.nbuckets) {
		fsck_error(f, "btree: %s: outside the btree+data area",
			   ext_desc(k, desc, sizeof(desc)));
		return false;
	}
	if (f->prio_known[b] && p->gen != bch_ptr_gen(k)) {
		if (bch_gen_after(bch_ptr_gen(k), p->gen)) {
			fsck_error(f, "btree: %s: newer than bucket %llu's gen %u",
				   ext_desc(k, desc, sizeof(desc)), b, p->gen);
			return false;
		}
		f->stale++;
		return false;
	}
	f->live++;
	f->live_sectors += size;
	if (bch_ptr_is_dirty(k))
		f->dirty++;
	if (f->prio_known[b] && p->type != BCH_BUCKET_DATA)
		fsck_error(f, "btree: %s: live pointer into bucket %llu, typed %s",
			   ext_desc(k, desc, sizeof(desc)), b,
			   bucket_types[p->type]);
	if (f->uuids && !f->uuids->entries[dev].state)
		fsck_error(f, "btree: %s: device %u has no entry in the uuid table",
			   ext_desc(k, desc, sizeof(desc)), dev);
	if (sector % f->g.bucket_sectors + size > f->g.bucket_sectors)
		fsck_error(f, "btree: %s: crosses the end of bucket %llu",
			   ext_desc(k, desc, sizeof(desc)), b);
	used[b] += size;
	return true;
}

/* No two live extents on the same cache sectors. */
static void check_overlaps(struct fsck *f, struct cext *x, u64 n)
{
	u64 i, end = 0, last = 0;
	char a[32], b[32];

	if (n)
		qsort(x, n, sizeof(*x), cext_cmp);
	for (i = 0; i < n; i++) {
		if (i && x[i].sector < end)
			fsck_error(f, "btree: extents %s+%u and %s+%u share cache sector %llu",
				   fsck_pos(x[last].raw, a, sizeof(a)),
				   x[last].size,
				   fsck_pos(x[i].raw, b, sizeof(b)), x[i].size,
				   x[i].sector);
		if (x[i].sector + x[i].size > end) {
			end = x[i].sector + x[i].size;
			last = i;
		}
	}
}

void fsck_check_extents(struct fsck *f)
{
	u64 n = 0, cap = 0, b, prev_end = 0, data_buckets = 0;
	struct cext *x = NULL, *nx;
	u32 *used, i, j;
	char pos[32];

	used = fsck_alloc(f, f->g.nbuckets, sizeof(*used));
	if (!used)
		return;
	for (i = 0; i < f->nranges; i++) {
		const struct fsck_range *r = &f->ranges[i];

		for (j = 0; j < r->keys.nr; j++) {
			const struct bch_key *k = &r->keys.k[j];

			f->extents++;
			if (bch_key_raw(k) < prev_end || bch_key_raw(k) < r->lo ||
			    fkey_end(k) > r->hi)
				fsck_error(f, "btree: extents overlap at %s after merging the logs",
					   fsck_pos(bch_key_raw(k), pos,
						    sizeof(pos)));
			prev_end = fkey_end(k);
			if (!check_extent(f, k, used))
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 1024;
				nx = realloc(x, cap * sizeof(*x));
				if (!nx) {
					errmsg(f->path, "out of memory");
					f->io_error = true;
					goto out;
				}
				x = nx;
			}
			x[n].sector = bch_ptr_sector(k);
			x[n].raw = bch_key_raw(k);
			x[n].size = bch_ptr_size(k);
			n++;
		}
	}
	check_overlaps(f, x, n);
	for (b = f->g.data_bucket; b < f->g.nbuckets; b++) {
		if (used[b] > f->g.bucket_sectors)
			fsck_error(f, "bucket %llu: %u live sectors, more than its %u",
				   b, used[b], f->g.bucket_sectors);
		if (used[b])
			data_buckets++;
		if (used[b] || f->node_map[b])
			f->buckets_used++;
		if (f->prio_known[b] && f->prio[b].type == BCH_BUCKET_BTREE &&
		    !f->node_map[b])
			f->btree_unref++;
	}
	fsck_info(f, "buckets: %llu hold live data, %llu hold btree nodes",
		  data_buckets, f->buckets_used - data_buckets);
	fsck_info(f, "buckets: %llu typed btree but unused (reserve, or freed before GC)",
		  f->btree_unref);
	if (f->dirty)
		fsck_info(f, "btree: %llu live extents are dirty", f->dirty);
out:
	free(x);
	free(used);
}
