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

/* One mutation of a valid superblock per rule, and the error it must get. */
enum sb_mut {
	SM_VERSION0,
	SM_VERSION2,
	SM_INCOMPAT,
	SM_HDRSIZE,
	SM_RESERVED,
	SM_RESERVED_LAST,
	SM_FLAGS,
	SM_ZERO_UUID,
	SM_SEED,
	SM_LABEL_UNTERMINATED,
	SM_LABEL_GARBAGE,
	SM_BLOCK_NPOW2,
	SM_BLOCK_ZERO,
	SM_BLOCK_BIG,
	SM_BUCKET_SMALL,
	SM_BUCKET_BIG,
	SM_BUCKET_NPOW2,
	SM_BLOCK_GT_BUCKET,
	SM_NBUCKETS_ZERO,
	SM_NBUCKETS_OVER,
	SM_NBUCKETS_HUGE,
	SM_NO_TAIL,
	SM_DEVSIZE_TINY,
	SM_UUID_IN_HEAD,
	SM_UUID_ZERO,
	SM_UUID_NONE,
	SM_PRIO_OVERLAPS_UUID,
	SM_PRIO_PAGES,
	SM_PRIO_NONE,
	SM_JOURNAL_ONE,
	SM_JOURNAL_HUGE,
	SM_JOURNAL_OVERLAPS_PRIO,
	SM_DATA_OVERLAPS_JOURNAL,
	SM_DATA_SMALL,
	SM_DATA_PAST_END,
	SM_JOURNAL_WRAP,
	SM_NR,
};

static const struct {
	const char *name;
	int err;
} sb_muts[SM_NR] = {
	[SM_VERSION0] = { "version0", -EOPNOTSUPP },
	[SM_VERSION2] = { "version2", -EOPNOTSUPP },
	[SM_INCOMPAT] = { "incompat", -EOPNOTSUPP },
	[SM_HDRSIZE] = { "hdrsize", -EUCLEAN },
	[SM_RESERVED] = { "reserved", -EUCLEAN },
	[SM_RESERVED_LAST] = { "reserved_last", -EUCLEAN },
	[SM_FLAGS] = { "flags", -EUCLEAN },
	[SM_ZERO_UUID] = { "zero_uuid", -EUCLEAN },
	[SM_SEED] = { "seed", -EUCLEAN },
	[SM_LABEL_UNTERMINATED] = { "label_unterminated", -EUCLEAN },
	[SM_LABEL_GARBAGE] = { "label_garbage", -EUCLEAN },
	[SM_BLOCK_NPOW2] = { "block_npow2", -EUCLEAN },
	[SM_BLOCK_ZERO] = { "block_zero", -EUCLEAN },
	[SM_BLOCK_BIG] = { "block_big", -EUCLEAN },
	[SM_BUCKET_SMALL] = { "bucket_small", -EUCLEAN },
	[SM_BUCKET_BIG] = { "bucket_big", -EUCLEAN },
	[SM_BUCKET_NPOW2] = { "bucket_npow2", -EUCLEAN },
	[SM_BLOCK_GT_BUCKET] = { "block_gt_bucket", -EUCLEAN },
	[SM_NBUCKETS_ZERO] = { "nbuckets_zero", -EUCLEAN },
	[SM_NBUCKETS_OVER] = { "nbuckets_over", -EUCLEAN },
	[SM_NBUCKETS_HUGE] = { "nbuckets_huge", -EUCLEAN },
	[SM_NO_TAIL] = { "no_tail", -EUCLEAN },
	[SM_DEVSIZE_TINY] = { "devsize_tiny", -EUCLEAN },
	[SM_UUID_IN_HEAD] = { "uuid_in_head", -EUCLEAN },
	[SM_UUID_ZERO] = { "uuid_zero", -EUCLEAN },
	[SM_UUID_NONE] = { "uuid_none", -EUCLEAN },
	[SM_PRIO_OVERLAPS_UUID] = { "prio_overlaps_uuid", -EUCLEAN },
	[SM_PRIO_PAGES] = { "prio_pages", -EUCLEAN },
	[SM_PRIO_NONE] = { "prio_none", -EUCLEAN },
	[SM_JOURNAL_ONE] = { "journal_one", -EUCLEAN },
	[SM_JOURNAL_HUGE] = { "journal_huge", -EUCLEAN },
	[SM_JOURNAL_OVERLAPS_PRIO] = { "journal_overlaps_prio", -EUCLEAN },
	[SM_DATA_OVERLAPS_JOURNAL] = { "data_overlaps_journal", -EUCLEAN },
	[SM_DATA_SMALL] = { "data_small", -EUCLEAN },
	[SM_DATA_PAST_END] = { "data_past_end", -EUCLEAN },
	[SM_JOURNAL_WRAP] = { "journal_wrap", -EUCLEAN },
};

static void sb_mutate(struct bch_sb *sb, enum sb_mut m)
{
	u64 nb = le64_to_cpu(sb->nbuckets);

	switch (m) {
	case SM_VERSION0:
		sb->version = cpu_to_le32(0);
		break;
	case SM_VERSION2:
		sb->version = cpu_to_le32(2);
		break;
	case SM_INCOMPAT:
		sb->feature_incompat = cpu_to_le64(1ULL << 63);
		break;
	case SM_HDRSIZE:
		sb->header_size = cpu_to_le32(8);
		break;
	case SM_RESERVED:
		sb->reserved[100] = 1;
		break;
	case SM_RESERVED_LAST:
		sb->reserved[sizeof(sb->reserved) - 1] = 1;
		break;
	case SM_FLAGS:
		sb->flags = cpu_to_le64(2);
		break;
	case SM_ZERO_UUID:
		memset(sb->set_uuid, 0, 16);
		sb->csum_seed = cpu_to_le32(bch_csum_seed(sb->set_uuid));
		break;
	case SM_SEED:
		sb->csum_seed = cpu_to_le32(le32_to_cpu(sb->csum_seed) + 1);
		break;
	case SM_LABEL_UNTERMINATED:
		memset(sb->label, 'a', 32);
		break;
	case SM_LABEL_GARBAGE:
		sb->label[20] = 'x';
		break;
	case SM_BLOCK_NPOW2:
		sb->block_size = cpu_to_le32(3);
		break;
	case SM_BLOCK_ZERO:
		sb->block_size = 0;
		break;
	case SM_BLOCK_BIG:
		sb->block_size = cpu_to_le32(256);
		break;
	case SM_BUCKET_SMALL:
		sb->bucket_size = cpu_to_le32(4);
		break;
	case SM_BUCKET_BIG:
		sb->bucket_size = cpu_to_le32(65536);
		break;
	case SM_BUCKET_NPOW2:
		sb->bucket_size = cpu_to_le32(1000);
		break;
	case SM_BLOCK_GT_BUCKET:
		sb->bucket_size = cpu_to_le32(8);
		sb->block_size = cpu_to_le32(16);
		break;
	case SM_NBUCKETS_ZERO:
		sb->nbuckets = 0;
		break;
	case SM_NBUCKETS_OVER:
		sb->nbuckets = cpu_to_le64(nb + 1);
		break;
	case SM_NBUCKETS_HUGE:
		sb->nbuckets = cpu_to_le64(~0ULL);
		break;
	case SM_NO_TAIL:
		sb->device_sectors = cpu_to_le64(nb * 1024 + 2047);
		break;
	case SM_DEVSIZE_TINY:
		sb->device_sectors = cpu_to_le64(100);
		break;
	case SM_UUID_IN_HEAD:
		sb->uuid_bucket = cpu_to_le64(1);
		break;
	case SM_UUID_ZERO:
		sb->uuid_bucket = 0;
		break;
	case SM_UUID_NONE:
		sb->uuid_buckets = 0;
		break;
	case SM_PRIO_OVERLAPS_UUID:
		sb->prio_bucket = cpu_to_le64(2);
		break;
	case SM_PRIO_PAGES:
		sb->prio_pages = cpu_to_le32(2);
		break;
	case SM_PRIO_NONE:
		sb->prio_buckets = 0;
		break;
	case SM_JOURNAL_ONE:
		sb->journal_buckets = cpu_to_le32(1);
		break;
	case SM_JOURNAL_HUGE:
		sb->journal_buckets = cpu_to_le32(5000);
		break;
	case SM_JOURNAL_OVERLAPS_PRIO:
		sb->journal_bucket = cpu_to_le64(3);
		break;
	case SM_DATA_OVERLAPS_JOURNAL:
		sb->data_bucket = cpu_to_le64(18);
		break;
	case SM_DATA_SMALL:
		sb->data_bucket = cpu_to_le64(nb - 127);
		break;
	case SM_DATA_PAST_END:
		sb->data_bucket = cpu_to_le64(~0ULL - 10);
		break;
	case SM_JOURNAL_WRAP:
		sb->journal_bucket = cpu_to_le64(~0ULL - 1);
		break;
	case SM_NR:
		break;
	}
}

static void test_sb_mutations(void)
{
	struct bch_sb base, sb;
	struct bch_geom g;
	const char *why;
	enum sb_mut m;
	int ret;

	test_default_geom(&base, &g);
	for (m = 0; m < SM_NR; m++) {
		sb = base;
		sb_mutate(&sb, m);
		sb_fix_csum(&sb);
		why = NULL;
		ret = bch_sb_validate(&sb, sizeof(sb), 0, &g, &why);
		if (ret != sb_muts[m].err)
			fprintf(stderr, "  mutation %s: got %d (%s)\n",
				sb_muts[m].name, ret, why ? why : "-");
		CHECK_EQ(ret, sb_muts[m].err);
		CHECK(why);
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
