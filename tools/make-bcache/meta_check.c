// SPDX-License-Identifier: GPL-2.0
/*
 * Read-only check of the metadata a valid superblock points at: the uuid
 * table, the prio pages, the journal and the btree root's first bset.  It
 * follows the reader rules of Documentation/ondisk-format.rst: the valid
 * A/B copy with the highest seq wins; a journal bucket ends at its first
 * invalid entry; the newest journal entry gives the root.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static int check_uuids(int fd, const struct bch_geom *g, FILE *out)
{
	struct bch_uuid_set *u = malloc(sizeof(*u));
	bool valid[2] = { false, false };
	u64 seq[2] = { 0, 0 }, best = 0;
	int slot, used = 0, i, ret = 0;

	if (!u)
		return 1;
	for (slot = 0; slot < 2; slot++) {
		if (read_full(fd, u, sizeof(*u),
			      bch_uuid_slot_sector(g, slot) << BCH_SECTOR_SHIFT))
			continue;
		valid[slot] = !bch_uuid_set_validate(u, sizeof(*u), g, slot,
						     NULL);
		seq[slot] = le64_to_cpu(u->seq);
	}
	slot = bch_ab_pick_read(valid[0], seq[0], valid[1], seq[1]);
	if (slot < 0) {
		fprintf(out, "%-18s no valid copy\n", "uuid table:");
		ret = 1;
	} else {
		best = seq[slot];
		if (!read_full(fd, u, sizeof(*u),
			       bch_uuid_slot_sector(g, slot) << BCH_SECTOR_SHIFT))
			for (i = 0; i < BCH_UUID_ENTRIES; i++)
				used += !!u->entries[i].state;
		fprintf(out, "%-18s slot %c, seq %llu, %d backing devices\n",
			"uuid table:", slot ? 'B' : 'A', best, used);
	}
	free(u);
	return ret;
}

static int check_prios(int fd, const struct bch_geom *g, FILE *out)
{
	struct bch_prio_page p;
	u32 page, bad = 0;
	u64 seq[2];
	bool valid[2];
	int slot;

	for (page = 0; page < g->prio_pages; page++) {
		for (slot = 0; slot < 2; slot++) {
			valid[slot] = !read_full(fd, &p, sizeof(p),
						 bch_prio_page_sector(g, page, slot)
						 << BCH_SECTOR_SHIFT) &&
				!bch_prio_page_validate(&p, sizeof(p), g, page,
							slot, NULL);
			seq[slot] = le64_to_cpu(p.seq);
		}
		if (bch_ab_pick_read(valid[0], seq[0], valid[1], seq[1]) < 0)
			bad++;
	}
	if (bad) {
		fprintf(out, "%-18s %u of %u pages have no valid copy\n",
			"prio pages:", bad, g->prio_pages);
		return 1;
	}
	fprintf(out, "%-18s %u pages valid\n", "prio pages:", g->prio_pages);
	return 0;
}

/* Newest valid journal entry, copied to @newest; 0 or 1 (none found). */
static int check_journal(int fd, const struct bch_geom *g, FILE *out,
			 struct bch_jset *newest, size_t nlen)
{
	size_t bucket = (size_t)g->bucket_sectors << BCH_SECTOR_SHIFT;
	u64 off, sector, bytes, best = 0, entries = 0;
	const char *why;
	u8 *buf = malloc(bucket);
	u32 i;

	if (!buf)
		return 1;
	for (i = 0; i < g->journal_buckets; i++) {
		sector = bch_journal_bucket_sector(g, i);
		if (read_full(fd, buf, bucket, sector << BCH_SECTOR_SHIFT))
			continue;
		for (off = 0; off < bucket; off += bytes) {
			struct bch_jset *j = (struct bch_jset *)(buf + off);

			if (bch_jset_validate(j, bucket - off, g,
					      sector + (off >> BCH_SECTOR_SHIFT),
					      &why))
				break;
			bytes = bch_jset_bytes(g, le32_to_cpu(j->nr_keys));
			entries++;
			if (le64_to_cpu(j->seq) > best) {
				best = le64_to_cpu(j->seq);
				memcpy(newest, j, nlen);
			}
		}
	}
	free(buf);
	if (!best) {
		fprintf(out, "%-18s no valid entry\n", "journal:");
		return 1;
	}
	fprintf(out, "%-18s %llu entries, newest seq %llu%s\n", "journal:",
		entries, best,
		le64_to_cpu(newest->flags) & BCH_JSET_CLEAN ? " (clean)" : "");
	return 0;
}

static int check_root(int fd, const struct bch_geom *g,
		      const struct bch_jset *j, FILE *out)
{
	size_t block = (size_t)g->block_sectors << BCH_SECTOR_SHIFT;
	struct bch_bset_expect e = { .level = -1 };
	const char *why = "";
	u8 *buf;
	int ret;

	if (!bch_ptr_is_ptr(&j->root)) {
		fprintf(out, "%-18s none (empty btree)\n", "btree root:");
		return 0;
	}
	e.node_sector = bch_ptr_sector(&j->root);
	buf = malloc(block);
	if (!buf)
		return 1;
	ret = read_full(fd, buf, block, e.node_sector << BCH_SECTOR_SHIFT);
	if (!ret)
		ret = bch_bset_validate(buf, block, g, &e, &why);
	if (!ret && le32_to_cpu(((struct bch_bset *)buf)->level) !=
	    le32_to_cpu(j->root_level)) {
		ret = -EUCLEAN;
		why = "root node level differs from the journal";
	}
	if (ret)
		fprintf(out, "%-18s bucket %llu: %s\n", "btree root:",
			bch_sector_to_bucket(g, e.node_sector), why);
	else
		fprintf(out, "%-18s bucket %llu, level %u\n", "btree root:",
			bch_sector_to_bucket(g, e.node_sector),
			le32_to_cpu(j->root_level));
	free(buf);
	return !!ret;
}

int meta_check(int fd, const struct bch_geom *g, FILE *out)
{
	struct bch_jset newest;
	int bad;

	bad = check_uuids(fd, g, out);
	bad += check_prios(fd, g, out);
	if (!check_journal(fd, g, out, &newest, sizeof(newest)))
		bad += check_root(fd, g, &newest, out);
	else
		bad++;
	return bad;
}
