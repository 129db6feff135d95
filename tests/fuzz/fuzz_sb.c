// SPDX-License-Identifier: GPL-2.0
/*
 * Superblock parser.  Parameter: the real device size in MiB (0: unknown).
 * With FUZZ_RESEAL the magic, header size, seed and checksum are fixed up
 * first.  A superblock that validates must describe a layout that fits in
 * the device, and sealing it again must not change its validity.
 */
#include "fuzz.h"

static void check_layout(const struct bch_geom *g, u64 dev_sectors)
{
	u64 bs = g->bucket_sectors;

	FUZZ_ASSERT(bch_is_pow2(bs) && bch_is_pow2(g->block_sectors));
	FUZZ_ASSERT(g->block_sectors <= bs && bs <= BCH_BUCKET_MAX);
	FUZZ_ASSERT(bs >= BCH_BUCKET_MIN && g->block_sectors <= BCH_BLOCK_MAX);
	FUZZ_ASSERT(g->nbuckets <= g->device_sectors / bs);
	FUZZ_ASSERT(g->nbuckets * bs + BCH_TAIL_MIN_SECTORS <=
		    g->device_sectors);
	FUZZ_ASSERT(g->nbuckets * bs <= BCH_MAX_CACHE_SECTORS);
	FUZZ_ASSERT(!dev_sectors || g->device_sectors <= dev_sectors);
	FUZZ_ASSERT(g->uuid_bucket * bs >= BCH_HEAD_MIN_SECTORS);
	FUZZ_ASSERT(g->uuid_bucket + g->uuid_buckets <= g->prio_bucket);
	FUZZ_ASSERT(g->prio_bucket + g->prio_buckets <= g->journal_bucket);
	FUZZ_ASSERT(g->journal_bucket + g->journal_buckets <= g->data_bucket);
	FUZZ_ASSERT(g->data_bucket + BCH_MIN_DATA_BUCKETS <= g->nbuckets);
	FUZZ_ASSERT(bch_uuid_slot_sector(g, 1) + g->uuid_slot_sectors <=
		    bch_bucket_to_sector(g, g->prio_bucket));
	FUZZ_ASSERT(bch_prio_page_sector(g, g->prio_pages - 1, 1) +
		    BCH_PAGE_SECTORS <=
		    bch_bucket_to_sector(g, g->journal_bucket));
	FUZZ_ASSERT((u64)g->prio_pages * BCH_PRIOS_PER_PAGE >= g->nbuckets);
}

int FUZZ_ENTRY(const u8 *data, size_t size)
{
	struct bch_geom g, g2;
	const char *why = NULL;
	u64 dev_sectors;
	size_t len;
	u8 *buf;
	int ret;

	if (size < FUZZ_HDR)
		return 0;
	dev_sectors = (u64)fuzz_param(data) << 11;
	buf = fuzz_payload(data, size, &len);
	if ((data[0] & FUZZ_RESEAL) && len >= sizeof(struct bch_sb))
		bch_sb_seal((struct bch_sb *)buf);
	ret = bch_sb_validate(buf, len, dev_sectors, &g, &why);
	FUZZ_ASSERT(ret <= 0 && (!ret || why));
	if (!ret) {
		check_layout(&g, dev_sectors);
		bch_sb_seal((struct bch_sb *)buf);
		FUZZ_ASSERT(!bch_sb_validate(buf, len, dev_sectors, &g2,
					     NULL));
		FUZZ_ASSERT(!memcmp(&g, &g2, sizeof(g)));
	}
	free(buf);
	return 0;
}
