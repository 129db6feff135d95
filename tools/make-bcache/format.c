// SPDX-License-Identifier: GPL-2.0
/*
 * Write the initial metadata of a new cache device, everything except the
 * superblock, which make-bcache writes last:
 *
 * - the head, zeroed (the old superblock was already zeroed);
 * - uuid table slot A (seq 1, no backing devices), slot B zeroed;
 * - prio pages copy A (seq 1, all gens 0; metadata buckets typed metadata,
 *   the root node's bucket btree, the rest free), copy B zeroed;
 * - the first block of every journal bucket zeroed, then one clean journal
 *   entry (seq 1) in journal bucket 0 pointing at the root;
 * - an empty leaf root node (one bset, no keys) in the first data bucket;
 * - the tail guard, zeroed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* Tails bigger than this are zeroed only at both ends. */
#define TAIL_ZERO_MAX	(64ULL << 20)

static int zero_range(const struct dev_info *d, const char *dev,
		      const char *what, u64 off, u64 len)
{
	int ret = write_zeroes(d->fd, off, len);

	if (ret)
		errmsg(dev, "cannot zero the %s: %s", what, strerror(-ret));
	return ret;
}

static int write_at(const struct dev_info *d, const char *dev,
		    const char *what, const void *buf, size_t len, u64 sector)
{
	int ret = write_full(d->fd, buf, len, sector << BCH_SECTOR_SHIFT);

	if (ret)
		errmsg(dev, "cannot write the %s: %s", what, strerror(-ret));
	return ret;
}

static int write_uuids(const struct dev_info *d, const char *dev,
		       const struct bch_geom *g)
{
	struct bch_uuid_set *u = calloc(1, sizeof(*u));
	int ret;

	if (!u)
		return -ENOMEM;
	ret = zero_range(d, dev, "uuid area",
			 bch_uuid_slot_sector(g, 0) << BCH_SECTOR_SHIFT,
			 ((u64)g->uuid_buckets * g->bucket_sectors)
			 << BCH_SECTOR_SHIFT);
	if (!ret)
		ret = bch_uuid_set_seal(u, sizeof(*u), g, 0, 1);
	if (!ret)
		ret = write_at(d, dev, "uuid table", u, sizeof(*u),
			       bch_uuid_slot_sector(g, 0));
	free(u);
	return ret;
}

static int write_prios(const struct dev_info *d, const char *dev,
		       const struct bch_geom *g)
{
	struct bch_prio_page p;
	u32 page, i, nr;
	u64 b;
	int ret;

	ret = zero_range(d, dev, "prio area",
			 bch_prio_page_sector(g, 0, 0) << BCH_SECTOR_SHIFT,
			 ((u64)g->prio_buckets * g->bucket_sectors)
			 << BCH_SECTOR_SHIFT);
	for (page = 0; !ret && page < g->prio_pages; page++) {
		memset(&p, 0, sizeof(p));
		nr = bch_prio_page_nr(g, page);
		for (i = 0; i < nr; i++) {
			b = (u64)page * BCH_PRIOS_PER_PAGE + i;
			if (b < g->data_bucket)
				p.entries[i].type = BCH_BUCKET_META;
			else if (b == g->data_bucket)
				p.entries[i].type = BCH_BUCKET_BTREE;
		}
		ret = bch_prio_page_seal(&p, sizeof(p), g, page, 0, 1);
		if (!ret)
			ret = write_at(d, dev, "prio pages", &p, sizeof(p),
				       bch_prio_page_sector(g, page, 0));
	}
	return ret;
}

/* The journal entry and the root node, one block each. */
static int write_journal_and_root(const struct dev_info *d, const char *dev,
				  const struct bch_geom *g)
{
	size_t block = (size_t)g->block_sectors << BCH_SECTOR_SHIFT;
	u64 root = bch_bucket_to_sector(g, g->data_bucket), node_seq = 0;
	struct bch_jset *j;
	struct bch_bset *b;
	void *buf;
	u32 i;
	int ret = 0;

	buf = calloc(1, block);
	if (!buf)
		return -ENOMEM;
	for (i = 0; !ret && i < g->journal_buckets; i++)
		ret = write_at(d, dev, "journal", buf, block,
			       bch_journal_bucket_sector(g, i));
	if (ret)
		goto out;

	j = buf;
	j->seq = cpu_to_le64(1);
	j->last_seq = cpu_to_le64(1);
	j->flags = cpu_to_le64(BCH_JSET_CLEAN);
	j->root = bch_key_extent(0, 0, g->bucket_sectors, root, 0, false);
	j->uuid_seq = cpu_to_le64(1);
	j->prio_seq = cpu_to_le64(1);
	ret = bch_jset_seal(j, block, g, bch_journal_bucket_sector(g, 0));
	if (!ret)
		ret = write_at(d, dev, "journal", buf, block,
			       bch_journal_bucket_sector(g, 0));
	if (ret)
		goto out;

	while (!node_seq && !ret)
		ret = random_bytes(&node_seq, sizeof(node_seq));
	memset(buf, 0, block);
	b = buf;
	b->node_seq = cpu_to_le64(node_seq);
	b->sector = cpu_to_le64(root);
	b->journal_seq = cpu_to_le64(1);
	if (!ret)
		ret = bch_bset_seal(b, block, g);
	if (!ret)
		ret = write_at(d, dev, "btree root", buf, block, root);
out:
	free(buf);
	return ret;
}

static int zero_tail(const struct dev_info *d, const char *dev,
		     const struct bch_geom *g)
{
	u64 start = bch_bucket_to_sector(g, g->nbuckets) << BCH_SECTOR_SHIFT;
	u64 len = d->bytes - start;
	int ret;

	if (len <= TAIL_ZERO_MAX)
		return zero_range(d, dev, "tail guard", start, len);
	ret = zero_range(d, dev, "tail guard", start,
			 BCH_TAIL_MIN_SECTORS << BCH_SECTOR_SHIFT);
	if (!ret)
		ret = zero_range(d, dev, "tail guard",
				 d->bytes - TAIL_ZERO_MAX, TAIL_ZERO_MAX);
	return ret;
}

int format_areas(const struct dev_info *d, const char *dev,
		 const struct bch_sb *sb)
{
	struct bch_geom g;
	const char *why = "";
	int ret;

	ret = bch_sb_validate(sb, sizeof(*sb), d->bytes >> BCH_SECTOR_SHIFT,
			      &g, &why);
	if (ret) {
		errmsg(dev, "internal error: computed superblock invalid: %s",
		       why);
		return ret;
	}
	ret = zero_range(d, dev, "head", 0,
			 bch_bucket_to_sector(&g, g.uuid_bucket)
			 << BCH_SECTOR_SHIFT);
	if (!ret)
		ret = write_uuids(d, dev, &g);
	if (!ret)
		ret = write_prios(d, dev, &g);
	if (!ret)
		ret = write_journal_and_root(d, dev, &g);
	if (!ret)
		ret = zero_tail(d, dev, &g);
	if (!ret && fsync(d->fd)) {
		ret = -errno;
		errmsg(dev, "fsync failed: %s", strerror(errno));
	}
	return ret;
}
