// SPDX-License-Identifier: GPL-2.0
/* Superblock, checksum and layout calculator tests. */
#include "unit.h"

static void test_crc32c_vector(void)
{
	/* The standard CRC-32C check value. */
	CHECK_EQ(~bch_crc32c(~0U, "123456789", 9), 0xe3069283U);
	CHECK_EQ(bch_crc32c(0, "", 0), 0);
	CHECK(bch_csum_seed(test_uuid) == bch_crc32c(~0U, test_uuid, 16));
}

static void test_default_layout(void)
{
	struct bch_sb sb;
	struct bch_geom g;

	test_default_geom(&sb, &g);
	/* (2097152 - 2048) / 1024 buckets. */
	CHECK_EQ(g.nbuckets, 2046);
	CHECK_EQ(g.uuid_bucket, 2);		/* 1 MiB head */
	CHECK_EQ(g.uuid_buckets, 1);
	CHECK_EQ(g.uuid_slot_sectors, 72);	/* 32896 B -> 36 KiB */
	CHECK_EQ(g.prio_bucket, 3);
	CHECK_EQ(g.prio_pages, 3);
	CHECK_EQ(g.prio_buckets, 1);
	CHECK_EQ(g.journal_bucket, 4);
	CHECK_EQ(g.journal_buckets, 15);	/* 2046 / 128 */
	CHECK_EQ(g.data_bucket, 19);
	CHECK_EQ(le64_to_cpu(sb.seq), 1);
	CHECK_EQ(le32_to_cpu(sb.version), BCH_SB_VERSION);
	CHECK(!strcmp((char *)sb.label, "unit"));
	CHECK_EQ(g.ro_compat_unknown, 0);
}

/* libblkid's in-tree bcache probe must never match our superblock. */
static void test_not_upstream_bcache(void)
{
	static const u8 upstream[8] = {
		0xc6, 0x85, 0x73, 0xf6, 0x4e, 0x1a, 0x45, 0xca };
	struct bch_sb sb;
	struct bch_geom g;
	const u8 *raw = (const u8 *)&sb;
	u64 off;

	test_default_geom(&sb, &g);
	memcpy(&off, raw + 8, 8);
	CHECK(le64toh(off) != 8);
	CHECK(memcmp(raw + 0x18, upstream, 8));
	CHECK(memcmp(bch_sb_magic + 8, upstream, 8));
}

static void test_sb_csum_every_byte(void)
{
	struct bch_sb sb, m;
	struct bch_geom g;
	size_t i;
	int bit;

	test_default_geom(&sb, &g);
	for (i = 0; i < sizeof(sb); i++) {
		for (bit = 0; bit < 8; bit += 7) {
			m = sb;
			((u8 *)&m)[i] ^= 1 << bit;
			CHECK(bch_sb_validate(&m, sizeof(m), 0, NULL, NULL) < 0);
		}
	}
}

/* Apply @mut to a valid superblock, reseal the csum, expect @err. */
struct sb_mutation {
	const char *name;
	void (*mut)(struct bch_sb *sb);
	int err;
};

#define SB_MUT(n, body)						\
	static void mut_##n(struct bch_sb *sb) { body; }

#define LE32(f, v)	(sb->f = cpu_to_le32(v))
#define LE64(f, v)	(sb->f = cpu_to_le64(v))
#define G32(f)		le32_to_cpu(sb->f)
#define G64(f)		le64_to_cpu(sb->f)

SB_MUT(version0, LE32(version, 0))
SB_MUT(version2, LE32(version, 2))
SB_MUT(incompat, LE64(feature_incompat, 1ULL << 63))
SB_MUT(hdrsize, LE32(header_size, 8))
SB_MUT(reserved, sb->reserved[100] = 1)
SB_MUT(reserved_last, sb->reserved[sizeof(sb->reserved) - 1] = 1)
SB_MUT(flags, LE64(flags, 2))
SB_MUT(zero_uuid, memset(sb->set_uuid, 0, 16); LE32(csum_seed, bch_csum_seed(sb->set_uuid)))
SB_MUT(seed, LE32(csum_seed, G32(csum_seed) + 1))
SB_MUT(label_unterminated, memset(sb->label, 'a', 32))
SB_MUT(label_garbage, sb->label[20] = 'x')
SB_MUT(block_npow2, LE32(block_size, 3))
SB_MUT(block_zero, LE32(block_size, 0))
SB_MUT(block_big, LE32(block_size, 256))
SB_MUT(bucket_small, LE32(bucket_size, 4))
SB_MUT(bucket_big, LE32(bucket_size, 65536))
SB_MUT(bucket_npow2, LE32(bucket_size, 1000))
SB_MUT(block_gt_bucket, LE32(bucket_size, 8); LE32(block_size, 16))
SB_MUT(nbuckets_zero, LE64(nbuckets, 0))
SB_MUT(nbuckets_over, LE64(nbuckets, G64(nbuckets) + 1))
SB_MUT(nbuckets_huge, LE64(nbuckets, ~0ULL))
SB_MUT(no_tail, LE64(device_sectors, G64(nbuckets) * 1024 + 2047))
SB_MUT(devsize_tiny, LE64(device_sectors, 100))
SB_MUT(uuid_in_head, LE64(uuid_bucket, 1))
SB_MUT(uuid_zero, LE64(uuid_bucket, 0))
SB_MUT(uuid_none, LE32(uuid_buckets, 0))
SB_MUT(prio_overlaps_uuid, LE64(prio_bucket, 2))
SB_MUT(prio_pages, LE32(prio_pages, 2))
SB_MUT(prio_none, LE32(prio_buckets, 0))
SB_MUT(journal_one, LE32(journal_buckets, 1))
SB_MUT(journal_huge, LE32(journal_buckets, 5000))
SB_MUT(journal_overlaps_prio, LE64(journal_bucket, 3))
SB_MUT(data_overlaps_journal, LE64(data_bucket, 18))
SB_MUT(data_small, LE64(data_bucket, G64(nbuckets) - 127))
SB_MUT(data_past_end, LE64(data_bucket, ~0ULL - 10))
SB_MUT(journal_wrap, LE64(journal_bucket, ~0ULL - 1))

static const struct sb_mutation sb_mutations[] = {
	{ "version0", mut_version0, -EOPNOTSUPP },
	{ "version2", mut_version2, -EOPNOTSUPP },
	{ "incompat", mut_incompat, -EOPNOTSUPP },
	{ "hdrsize", mut_hdrsize, -EUCLEAN },
	{ "reserved", mut_reserved, -EUCLEAN },
	{ "reserved_last", mut_reserved_last, -EUCLEAN },
	{ "flags", mut_flags, -EUCLEAN },
	{ "zero_uuid", mut_zero_uuid, -EUCLEAN },
	{ "seed", mut_seed, -EUCLEAN },
	{ "label_unterminated", mut_label_unterminated, -EUCLEAN },
	{ "label_garbage", mut_label_garbage, -EUCLEAN },
	{ "block_npow2", mut_block_npow2, -EUCLEAN },
	{ "block_zero", mut_block_zero, -EUCLEAN },
	{ "block_big", mut_block_big, -EUCLEAN },
	{ "bucket_small", mut_bucket_small, -EUCLEAN },
	{ "bucket_big", mut_bucket_big, -EUCLEAN },
	{ "bucket_npow2", mut_bucket_npow2, -EUCLEAN },
	{ "block_gt_bucket", mut_block_gt_bucket, -EUCLEAN },
	{ "nbuckets_zero", mut_nbuckets_zero, -EUCLEAN },
	{ "nbuckets_over", mut_nbuckets_over, -EUCLEAN },
	{ "nbuckets_huge", mut_nbuckets_huge, -EUCLEAN },
	{ "no_tail", mut_no_tail, -EUCLEAN },
	{ "devsize_tiny", mut_devsize_tiny, -EUCLEAN },
	{ "uuid_in_head", mut_uuid_in_head, -EUCLEAN },
	{ "uuid_zero", mut_uuid_zero, -EUCLEAN },
	{ "uuid_none", mut_uuid_none, -EUCLEAN },
	{ "prio_overlaps_uuid", mut_prio_overlaps_uuid, -EUCLEAN },
	{ "prio_pages", mut_prio_pages, -EUCLEAN },
	{ "prio_none", mut_prio_none, -EUCLEAN },
	{ "journal_one", mut_journal_one, -EUCLEAN },
	{ "journal_huge", mut_journal_huge, -EUCLEAN },
	{ "journal_overlaps_prio", mut_journal_overlaps_prio, -EUCLEAN },
	{ "data_overlaps_journal", mut_data_overlaps_journal, -EUCLEAN },
	{ "data_small", mut_data_small, -EUCLEAN },
	{ "data_past_end", mut_data_past_end, -EUCLEAN },
	{ "journal_wrap", mut_journal_wrap, -EUCLEAN },
};

static void test_sb_mutations(void)
{
	struct bch_sb base, sb;
	struct bch_geom g;
	const char *why;
	size_t i;
	int ret;

	test_default_geom(&base, &g);
	for (i = 0; i < sizeof(sb_mutations) / sizeof(sb_mutations[0]); i++) {
		sb = base;
		sb_mutations[i].mut(&sb);
		sb_fix_csum(&sb);
		why = NULL;
		ret = bch_sb_validate(&sb, sizeof(sb), 0, &g, &why);
		if (ret != sb_mutations[i].err)
			fprintf(stderr, "  mutation %s: got %d (%s)\n",
				sb_mutations[i].name, ret, why ? why : "-");
		CHECK_EQ(ret, sb_mutations[i].err);
		CHECK(why != NULL);
	}
}

static void test_sb_magic_len_devsize(void)
{
	struct bch_sb sb, m;
	struct bch_geom g;
	const char *why = NULL;

	test_default_geom(&sb, &g);
	m = sb;
	m.magic[0] ^= 0xff;
	CHECK_EQ(bch_sb_validate(&m, sizeof(m), 0, &g, &why), -ENODATA);
	CHECK_EQ(bch_sb_validate(&sb, sizeof(sb) - 1, 0, &g, &why), -EINVAL);
	CHECK_EQ(bch_sb_validate(NULL, 0, 0, &g, &why), -EINVAL);
	CHECK_EQ(bch_sb_validate(&sb, sizeof(sb), 2097151, &g, &why),
		 -ENOSPC);
	CHECK_EQ(bch_sb_validate(&sb, sizeof(sb), 2097152, &g, &why), 0);
	CHECK_EQ(bch_sb_validate(&sb, sizeof(sb), 1ULL << 40, &g, &why), 0);
	/* The csum field itself. */
	m = sb;
	m.csum ^= cpu_to_le32(1);
	CHECK_EQ(bch_sb_validate(&m, sizeof(m), 0, &g, &why), -EBADMSG);
}

static void test_sb_features(void)
{
	struct bch_sb sb;
	struct bch_geom g;
	const char *why = NULL;

	test_default_geom(&sb, &g);
	sb.feature_compat = cpu_to_le64(1ULL << 40);
	sb_fix_csum(&sb);
	CHECK_EQ(bch_sb_validate(&sb, sizeof(sb), 0, &g, &why), 0);
	CHECK_EQ(g.ro_compat_unknown, 0);
	sb.feature_ro_compat = cpu_to_le64(1ULL << 3);
	sb_fix_csum(&sb);
	CHECK_EQ(bch_sb_validate(&sb, sizeof(sb), 0, &g, &why), 0);
	CHECK_EQ(g.ro_compat_unknown, 1ULL << 3);
}

static void test_sb_seal_roundtrip(void)
{
	struct bch_sb sb;
	struct bch_geom g, g2;

	test_default_geom(&sb, &g);
	/* An admin change: new label, bumped seq, resealed. */
	memset(sb.label, 0, sizeof(sb.label));
	memcpy(sb.label, "0123456789012345678901234567890", 31);
	sb.seq = cpu_to_le64(2);
	sb.flags = cpu_to_le64(BCH_SB_DISCARD);
	bch_sb_seal(&sb);
	CHECK_EQ(bch_sb_validate(&sb, sizeof(sb), 0, &g2, NULL), 0);
	CHECK_EQ(g2.flags, BCH_SB_DISCARD);
	CHECK_EQ(g2.nbuckets, g.nbuckets);
}

/* Every valid size pair: the minimum device works, one sector less fails. */
static void test_layout_boundaries(void)
{
	u32 bucket, block;

	for (bucket = BCH_BUCKET_MIN; bucket <= BCH_BUCKET_MAX; bucket <<= 1) {
		for (block = 1; block <= bucket && block <= BCH_BLOCK_MAX;
		     block <<= 1) {
			u64 min = bch_layout_min_sectors(block, bucket, 0);
			struct bch_layout_req req = {
				.device_sectors = min,
				.block_sectors = block,
				.bucket_sectors = bucket,
			};
			struct bch_sb sb;
			struct bch_geom g;
			const char *why = NULL;
			int ret;

			memcpy(req.uuid, test_uuid, 16);
			ret = bch_layout_calc(&req, &sb, &why);
			CHECK_EQ(ret, 0);
			if (ret) {
				fprintf(stderr, "  %u/%u: %s\n", block, bucket,
					why);
				continue;
			}
			CHECK_EQ(bch_sb_validate(&sb, sizeof(sb), min, &g,
						 &why), 0);
			CHECK_EQ(g.nbuckets - g.data_bucket,
				 BCH_MIN_DATA_BUCKETS);
			CHECK(g.uuid_bucket * bucket >= BCH_HEAD_MIN_SECTORS);
			CHECK(g.device_sectors - g.nbuckets * bucket >=
			      BCH_TAIL_MIN_SECTORS);
			req.device_sectors = min - 1;
			CHECK_EQ(bch_layout_calc(&req, &sb, &why), -ENOSPC);
		}
	}
}

static void test_layout_params(void)
{
	struct bch_layout_req req = {
		.device_sectors = 1 << 21,
		.block_sectors = 8,
		.bucket_sectors = 1024,
	};
	struct bch_sb sb;
	struct bch_geom g;
	const char *why = NULL;

	memcpy(req.uuid, test_uuid, 16);
	CHECK_EQ(bch_layout_calc(&req, &sb, &why), 0);

	req.bucket_sectors = 1000;
	CHECK_EQ(bch_layout_calc(&req, &sb, &why), -EINVAL);
	req.bucket_sectors = 4;
	CHECK_EQ(bch_layout_calc(&req, &sb, &why), -EINVAL);
	req.bucket_sectors = 65536;
	CHECK_EQ(bch_layout_calc(&req, &sb, &why), -EINVAL);
	req.bucket_sectors = 8;
	req.block_sectors = 16;
	CHECK_EQ(bch_layout_calc(&req, &sb, &why), -EINVAL);
	req.bucket_sectors = 1024;
	req.block_sectors = 256;
	CHECK_EQ(bch_layout_calc(&req, &sb, &why), -EINVAL);
	req.block_sectors = 0;
	CHECK_EQ(bch_layout_calc(&req, &sb, &why), -EINVAL);
	req.block_sectors = 8;
	req.journal_buckets = 1;
	CHECK_EQ(bch_layout_calc(&req, &sb, &why), -EINVAL);
	req.journal_buckets = 4097;
	CHECK_EQ(bch_layout_calc(&req, &sb, &why), -EINVAL);
	req.journal_buckets = 2;
	CHECK_EQ(bch_layout_calc(&req, &sb, &why), 0);
	CHECK_EQ(le32_to_cpu(sb.journal_buckets), 2);
	req.journal_buckets = 0;
	req.label = "0123456789012345678901234567890";	/* 31 */
	CHECK_EQ(bch_layout_calc(&req, &sb, &why), 0);
	req.label = "01234567890123456789012345678901";	/* 32 */
	CHECK_EQ(bch_layout_calc(&req, &sb, &why), -EINVAL);
	req.label = NULL;
	req.flags = 2;
	CHECK_EQ(bch_layout_calc(&req, &sb, &why), -EINVAL);
	req.flags = BCH_SB_DISCARD;
	CHECK_EQ(bch_layout_calc(&req, &sb, &why), 0);
	memset(req.uuid, 0, 16);
	CHECK_EQ(bch_layout_calc(&req, &sb, &why), -EINVAL);
	memcpy(req.uuid, test_uuid, 16);
	req.device_sectors = 0;
	CHECK_EQ(bch_layout_calc(&req, &sb, &why), -ENOSPC);
	req.device_sectors = 2048;
	CHECK_EQ(bch_layout_calc(&req, &sb, &why), -ENOSPC);

	/* Journal default clamps: 4 .. 256 buckets. */
	req.device_sectors = bch_layout_min_sectors(8, 1024, 0);
	CHECK_EQ(bch_layout_calc(&req, &sb, &why), 0);
	CHECK_EQ(le32_to_cpu(sb.journal_buckets), 4);
	req.device_sectors = 1ULL << 36;	/* 32 TiB */
	CHECK_EQ(bch_layout_calc(&req, &sb, &why), 0);
	CHECK_EQ(le32_to_cpu(sb.journal_buckets), 256);
	CHECK_EQ(bch_sb_validate(&sb, sizeof(sb), 1ULL << 36, &g, &why), 0);
}

static void test_layout_huge_device(void)
{
	struct bch_layout_req req = {
		.device_sectors = 1ULL << 45,	/* 16 PiB */
		.block_sectors = 8,
		.bucket_sectors = 8,
	};
	struct bch_sb sb;
	struct bch_geom g;
	const char *why = NULL;

	memcpy(req.uuid, test_uuid, 16);
	CHECK_EQ(bch_layout_calc(&req, &sb, &why), 0);
	CHECK_EQ(bch_sb_validate(&sb, sizeof(sb), req.device_sectors, &g,
				 &why), 0);
	CHECK(g.nbuckets * g.bucket_sectors <= BCH_MAX_CACHE_SECTORS);
	CHECK_EQ(g.nbuckets, BCH_MAX_CACHE_SECTORS / 8);
	/* The largest bucket: the head is one bucket. */
	req.bucket_sectors = BCH_BUCKET_MAX;
	req.block_sectors = BCH_BLOCK_MAX;
	CHECK_EQ(bch_layout_calc(&req, &sb, &why), 0);
	CHECK_EQ(le64_to_cpu(sb.uuid_bucket), 1);
}

static void test_ab_pick(void)
{
	CHECK_EQ(bch_ab_pick_read(false, 0, false, 0), -1);
	CHECK_EQ(bch_ab_pick_read(true, 5, false, 9), 0);
	CHECK_EQ(bch_ab_pick_read(false, 5, true, 1), 1);
	CHECK_EQ(bch_ab_pick_read(true, 5, true, 6), 1);
	CHECK_EQ(bch_ab_pick_read(true, 7, true, 6), 0);
	CHECK_EQ(bch_ab_pick_write(false, 0, false, 0), 0);
	CHECK_EQ(bch_ab_pick_write(true, 5, false, 0), 1);
	CHECK_EQ(bch_ab_pick_write(false, 0, true, 5), 0);
	CHECK_EQ(bch_ab_pick_write(true, 5, true, 6), 0);
	CHECK_EQ(bch_ab_pick_write(true, 7, true, 6), 1);
}

const struct unit_test sb_tests[] = {
	UNIT_TEST(test_crc32c_vector),
	UNIT_TEST(test_default_layout),
	UNIT_TEST(test_not_upstream_bcache),
	UNIT_TEST(test_sb_csum_every_byte),
	UNIT_TEST(test_sb_mutations),
	UNIT_TEST(test_sb_magic_len_devsize),
	UNIT_TEST(test_sb_features),
	UNIT_TEST(test_sb_seal_roundtrip),
	UNIT_TEST(test_layout_boundaries),
	UNIT_TEST(test_layout_params),
	UNIT_TEST(test_layout_huge_device),
	UNIT_TEST(test_ab_pick),
	{ NULL, NULL },
};
