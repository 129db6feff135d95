// SPDX-License-Identifier: GPL-2.0
/*
 * Journal entry parser, used the way replay reads a journal bucket: the
 * payload is the bucket content from a block offset on, and entries are read
 * one after the other until the first invalid one.  Parameter: bits 0..7
 * the journal bucket, bits 8..15 the starting block.  With FUZZ_RESEAL each
 * entry's sector and checksum are fixed up before it is validated.
 */
#include "fuzz.h"

static void check_entry(const struct bch_jset *j, const struct bch_geom *g,
			size_t left, u64 sector)
{
	u32 i, nr = le32_to_cpu(j->nr_keys);
	u64 bytes = bch_jset_bytes(g, nr);
	u64 in_bucket = sector % g->bucket_sectors;

	FUZZ_ASSERT(bytes <= left);
	FUZZ_ASSERT((in_bucket << BCH_SECTOR_SHIFT) + bytes <=
		    (u64)g->bucket_sectors << BCH_SECTOR_SHIFT);
	FUZZ_ASSERT(le64_to_cpu(j->seq) >= le64_to_cpu(j->last_seq));
	FUZZ_ASSERT(le64_to_cpu(j->last_seq) >= 1);
	FUZZ_ASSERT(le32_to_cpu(j->root_level) < BCH_BTREE_MAX_LEVEL);
	for (i = 0; i < nr; i++)
		FUZZ_ASSERT(!bch_key_validate(&j->keys[i], g, 0, NULL));
}

int FUZZ_ENTRY(const u8 *data, size_t size)
{
	const struct bch_geom *g;
	const char *why;
	u64 sector, bucket_end, bytes;
	size_t len, off, left;
	u8 *buf;
	int ret;

	if (size < FUZZ_HDR)
		return 0;
	g = fuzz_geom(data[1]);
	sector = bch_journal_bucket_sector(g, (fuzz_param(data) & 0xff) %
					   g->journal_buckets);
	bucket_end = sector + g->bucket_sectors;
	sector += (u64)(fuzz_param(data) >> 8) * g->block_sectors %
		  g->bucket_sectors;
	buf = fuzz_payload(data, size, &len);

	for (off = 0; off < len && sector < bucket_end; off += bytes) {
		struct bch_jset *j = (struct bch_jset *)(buf + off);

		left = len - off;
		if ((bucket_end - sector) << BCH_SECTOR_SHIFT < left)
			left = (bucket_end - sector) << BCH_SECTOR_SHIFT;
		if ((data[0] & FUZZ_RESEAL) && left >= sizeof(*j))
			bch_jset_seal(j, left, g, sector);
		why = NULL;
		ret = bch_jset_validate(j, left, g, sector, &why);
		FUZZ_ASSERT(ret <= 0 && (!ret || why));
		if (ret)
			break;
		check_entry(j, g, left, sector);
		bytes = bch_jset_bytes(g, le32_to_cpu(j->nr_keys));
		sector += bytes >> BCH_SECTOR_SHIFT;
	}
	free(buf);
	return 0;
}
