// SPDX-License-Identifier: GPL-2.0
/* Key encoding, accessors, generation arithmetic and key validation. */
#include "unit.h"

static void test_key_fields_extremes(void)
{
	struct bch_key k;

	k = bch_key_make(255, BCH_KEY_START_MASK, 65535,
			 BCH_MAX_CACHE_SECTORS - 1, 255, true, true);
	CHECK_EQ(bch_key_dev(&k), 255);
	CHECK_EQ(bch_key_start(&k), BCH_KEY_START_MASK);
	CHECK_EQ(bch_ptr_size(&k), 65535);
	CHECK_EQ(bch_ptr_sector(&k), BCH_MAX_CACHE_SECTORS - 1);
	CHECK_EQ(bch_ptr_gen(&k), 255);
	CHECK(bch_ptr_is_ptr(&k));
	CHECK(bch_ptr_is_dirty(&k));
	CHECK_EQ(bch_key_raw(&k), ~0ULL);
	CHECK_EQ(bch_ptr_raw(&k), ~0ULL);

	k = bch_key_make(0, 0, 0, 0, 0, false, false);
	CHECK_EQ(bch_key_raw(&k), 0);
	CHECK_EQ(bch_ptr_raw(&k), 0);
	CHECK(!bch_ptr_is_ptr(&k));
	CHECK(!bch_ptr_is_dirty(&k));

	/* Each field lands on its documented bits. */
	k = bch_key_make(0x12, 0x345678, 0x9abc, 0x2def01, 0x7f, true, false);
	CHECK_EQ(bch_key_raw(&k), (0x12ULL << 56) | 0x345678);
	CHECK_EQ(bch_ptr_raw(&k), (0x2def01ULL << 26) | (1ULL << 24) |
		 (0x9abcULL << 8) | 0x7f);
	/* Little-endian on disk. */
	CHECK_EQ(((u8 *)&k.key)[7], 0x12);
	CHECK_EQ(((u8 *)&k.ptr)[0], 0x7f);

	/* Out-of-range inputs are truncated, never spill into neighbours. */
	k = bch_key_make(1, ~0ULL, 0x1ffff, ~0ULL, 3, false, false);
	CHECK_EQ(bch_key_dev(&k), 1);
	CHECK_EQ(bch_ptr_size(&k), 0xffff);
	CHECK_EQ(bch_ptr_gen(&k), 3);
	CHECK(!bch_ptr_is_ptr(&k));
	CHECK(!bch_ptr_is_dirty(&k));

	k = bch_key_hole(9, 100, 8);
	CHECK_EQ(bch_key_end(&k), 108);
	CHECK(!bch_ptr_is_ptr(&k));
	k = bch_key_extent(9, 100, 8, 4096, 1, false);
	CHECK(bch_ptr_is_ptr(&k));
	CHECK(!bch_ptr_is_dirty(&k));
}

static void test_gen_wrap(void)
{
	CHECK(bch_gen_after(1, 0));
	CHECK(bch_gen_after(0, 255));
	CHECK(bch_gen_after(127, 0));
	CHECK(bch_gen_after(126, 255));
	CHECK(!bch_gen_after(128, 0));
	CHECK(!bch_gen_after(0, 0));
	CHECK(!bch_gen_after(0, 1));
	CHECK(!bch_gen_after(255, 0));
	CHECK_EQ(bch_gen_distance(2, 250), 8);
	CHECK_EQ(bch_gen_distance(250, 2), 248);
}

static void test_ptr_stale(void)
{
	struct bch_key k = bch_key_extent(0, 0, 8, 1 << 20, 200, false);

	CHECK(!bch_ptr_stale(200, &k));
	CHECK(bch_ptr_stale(201, &k));
	CHECK(bch_ptr_stale(199, &k));
	k = bch_key_extent(0, 0, 8, 1 << 20, 255, false);
	CHECK(bch_ptr_stale(0, &k));	/* wrapped */
}

static void test_key_validate_leaf(void)
{
	struct bch_sb sb;
	struct bch_geom g;
	struct bch_key k;
	const char *why = NULL;
	u64 data, bs;

	test_default_geom(&sb, &g);
	data = g.data_bucket * g.bucket_sectors;
	bs = g.bucket_sectors;

	k = bch_key_extent(3, 1000, 8, data, 0, false);
	CHECK_EQ(bch_key_validate(&k, &g, 0, &why), 0);
	k = bch_key_extent(3, 1000, 8, data, 0, true);
	CHECK_EQ(bch_key_validate(&k, &g, 0, &why), 0);
	/* Whole bucket, and the last sector of the last bucket. */
	k = bch_key_extent(3, 0, bs, data, 0, false);
	CHECK_EQ(bch_key_validate(&k, &g, 0, &why), 0);
	k = bch_key_extent(3, 0, 1, g.nbuckets * bs - 1, 0, false);
	CHECK_EQ(bch_key_validate(&k, &g, 0, &why), 0);
	/* Ends exactly at 2^56, then one past. */
	k = bch_key_extent(3, BCH_KEY_END_MAX - 8, 8, data, 0, false);
	CHECK_EQ(bch_key_validate(&k, &g, 0, &why), 0);
	k = bch_key_extent(3, BCH_KEY_END_MAX - 7, 8, data, 0, false);
	CHECK_EQ(bch_key_validate(&k, &g, 0, &why), -EUCLEAN);

	k = bch_key_extent(3, 1000, 0, data, 0, false);
	CHECK_EQ(bch_key_validate(&k, &g, 0, &why), -EUCLEAN);
	k = bch_key_extent(3, 0, bs + 1, data, 0, false);
	CHECK_EQ(bch_key_validate(&k, &g, 0, &why), -EUCLEAN);
	k = bch_key_extent(3, 0, 8, data + bs - 4, 0, false);
	CHECK_EQ(bch_key_validate(&k, &g, 0, &why), -EUCLEAN);
	k = bch_key_extent(3, 0, 8, data - 8, 0, false);
	CHECK_EQ(bch_key_validate(&k, &g, 0, &why), -EUCLEAN);
	k = bch_key_extent(3, 0, 1, g.nbuckets * bs, 0, false);
	CHECK_EQ(bch_key_validate(&k, &g, 0, &why), -EUCLEAN);
	k = bch_key_extent(3, 0, 1, 0, 0, false);
	CHECK_EQ(bch_key_validate(&k, &g, 0, &why), -EUCLEAN);

	/* Holes. */
	k = bch_key_hole(3, 0, 65535);
	CHECK_EQ(bch_key_validate(&k, &g, 0, &why), 0);
	k = bch_key_make(3, 0, 8, data, 0, false, false);
	CHECK_EQ(bch_key_validate(&k, &g, 0, &why), -EUCLEAN);
	k = bch_key_make(3, 0, 8, 0, 1, false, false);
	CHECK_EQ(bch_key_validate(&k, &g, 0, &why), -EUCLEAN);
	k = bch_key_make(3, 0, 8, 0, 0, false, true);
	CHECK_EQ(bch_key_validate(&k, &g, 0, &why), -EUCLEAN);
	k = bch_key_hole(3, 0, 0);
	CHECK_EQ(bch_key_validate(&k, &g, 0, &why), -EUCLEAN);
}

static void test_key_validate_interior(void)
{
	struct bch_sb sb;
	struct bch_geom g;
	struct bch_key k;
	const char *why = NULL;
	u64 data, bs;

	test_default_geom(&sb, &g);
	bs = g.bucket_sectors;
	data = g.data_bucket * bs;

	k = bch_key_extent(0, 0, bs, data, 7, false);
	CHECK_EQ(bch_key_validate(&k, &g, 1, &why), 0);
	CHECK_EQ(bch_key_validate(&k, &g, 7, &why), 0);
	CHECK_EQ(bch_key_validate(&k, &g, 8, &why), -EINVAL);
	k = bch_key_extent(255, BCH_KEY_START_MASK, bs,
			   (g.nbuckets - 1) * bs, 0, false);
	CHECK_EQ(bch_key_validate(&k, &g, 1, &why), 0);
	k = bch_key_make(0, 0, bs, data, 0, false, false);
	CHECK_EQ(bch_key_validate(&k, &g, 1, &why), -EUCLEAN);
	k = bch_key_extent(0, 0, bs, data, 0, true);
	CHECK_EQ(bch_key_validate(&k, &g, 1, &why), -EUCLEAN);
	k = bch_key_extent(0, 0, bs / 2, data, 0, false);
	CHECK_EQ(bch_key_validate(&k, &g, 1, &why), -EUCLEAN);
	k = bch_key_extent(0, 0, bs, data + 8, 0, false);
	CHECK_EQ(bch_key_validate(&k, &g, 1, &why), -EUCLEAN);
	k = bch_key_extent(0, 0, bs, data - bs, 0, false);
	CHECK_EQ(bch_key_validate(&k, &g, 1, &why), -EUCLEAN);
	k = bch_key_extent(0, 0, bs, g.nbuckets * bs, 0, false);
	CHECK_EQ(bch_key_validate(&k, &g, 1, &why), -EUCLEAN);
}

const struct unit_test key_tests[] = {
	UNIT_TEST(test_key_fields_extremes),
	UNIT_TEST(test_gen_wrap),
	UNIT_TEST(test_ptr_stale),
	UNIT_TEST(test_key_validate_leaf),
	UNIT_TEST(test_key_validate_interior),
	{ NULL, NULL },
};
