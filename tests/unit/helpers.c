// SPDX-License-Identifier: GPL-2.0
/* Shared fixtures: valid superblocks and geometries to mutate. */
#include <stdlib.h>
#include "unit.h"

const u8 test_uuid[BCH_UUID_LEN] = {
	0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe,
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
};

/* A valid, sealed superblock and its geometry; aborts if impossible. */
void test_layout(struct bch_sb *sb, struct bch_geom *g, u64 dev_sectors,
		 u32 block, u32 bucket)
{
	struct bch_layout_req req = {
		.device_sectors = dev_sectors,
		.block_sectors = block,
		.bucket_sectors = bucket,
		.created = 1700000000,
		.label = "unit",
	};
	const char *why = NULL;

	memcpy(req.uuid, test_uuid, sizeof(req.uuid));
	if (bch_layout_calc(&req, sb, &why) ||
	    bch_sb_validate(sb, sizeof(*sb), dev_sectors, g, &why)) {
		fprintf(stderr, "fixture: %s\n", why);
		abort();
	}
}

/* 1 GiB, 4 KiB blocks, 512 KiB buckets. */
void test_default_geom(struct bch_sb *sb, struct bch_geom *g)
{
	test_layout(sb, g, 2097152, BCH_BLOCK_DEFAULT, BCH_BUCKET_DEFAULT);
}

/* Recompute only the checksum, to test the rules behind it. */
void sb_fix_csum(struct bch_sb *sb)
{
	sb->csum = cpu_to_le32(bch_crc32c(BCH_CSUM_SEED_INIT, &sb->version,
					  BCH_SB_BYTES - 4));
}
