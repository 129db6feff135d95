// SPDX-License-Identifier: GPL-2.0
/* Journal entry and btree bset tests. */
#include <stdlib.h>
#include "unit.h"

/* A node-sized buffer plus slack, 8-byte aligned. */
static u64 buf64[(BCH_BUCKET_DEFAULT * BCH_SECTOR_SIZE + 8192) / 8];

static struct bch_sb sb;
static struct bch_geom g;

static u64 data_sector(u64 bucket_off)
{
	return (g.data_bucket + bucket_off) * g.bucket_sectors;
}

static struct bch_jset *jset_fixture(u32 nr, u64 sector)
{
	struct bch_jset *j = (struct bch_jset *)buf64;
	u32 i;

	test_default_geom(&sb, &g);
	memset(buf64, 0, sizeof(buf64));
	j->nr_keys = cpu_to_le32(nr);
	j->seq = cpu_to_le64(10);
	j->last_seq = cpu_to_le64(7);
	j->flags = cpu_to_le64(BCH_JSET_CLEAN);
	j->root = bch_key_extent(0, 0, g.bucket_sectors, data_sector(0), 1,
				 false);
	j->root_level = cpu_to_le32(2);
	j->uuid_seq = cpu_to_le64(3);
	j->prio_seq = cpu_to_le64(4);
	for (i = 0; i < nr; i++)
		j->keys[i] = i & 1 ? bch_key_hole(1, i * 8, 8) :
			bch_key_extent(1, i * 8, 8,
				       data_sector(1) + (i % 64) * 8, 0,
				       false);
	if (bch_jset_seal(j, sizeof(buf64), &g, sector))
		abort();
	return j;
}

static u64 jstart(void)
{
	return g.journal_bucket * g.bucket_sectors;
}

static void test_jset_roundtrip(void)
{
	struct bch_jset *j;
	const char *why = NULL;
	u64 s;

	j = jset_fixture(0, 0);
	s = jstart();
	bch_jset_seal(j, sizeof(buf64), &g, s);
	CHECK_EQ(bch_jset_validate(j, sizeof(buf64), &g, s, &why), 0);
	CHECK_EQ(bch_jset_bytes(&g, 0), 4096);
	CHECK_EQ(bch_jset_bytes(&g, 248), 4096);	/* 128 + 248 * 16 */
	CHECK_EQ(bch_jset_bytes(&g, 249), 8192);

	j = jset_fixture(100, 0);
	s = jstart() + g.bucket_sectors + 16;
	bch_jset_seal(j, sizeof(buf64), &g, s);
	CHECK_EQ(bch_jset_validate(j, sizeof(buf64), &g, s, &why), 0);
	/* Read from another place: misdirected. */
	CHECK_EQ(bch_jset_validate(j, sizeof(buf64), &g, s + 8, &why),
		 -ESTALE);
	/* The buffer ends before the keys do. */
	CHECK_EQ(bch_jset_validate(j, 128 + 99 * 16, &g, s, &why), -EUCLEAN);
	CHECK_EQ(bch_jset_validate(j, 127, &g, s, &why), -EINVAL);
	/* Not a journal sector. */
	CHECK_EQ(bch_jset_validate(j, sizeof(buf64), &g, jstart() - 8, &why),
		 -EINVAL);
	CHECK_EQ(bch_jset_validate(j, sizeof(buf64), &g, s + 1, &why),
		 -EINVAL);
	CHECK_EQ(bch_jset_validate(j, sizeof(buf64), &g,
				   jstart() + (u64)g.journal_buckets *
				   g.bucket_sectors, &why), -EINVAL);
	/* Seal refuses keys that do not fit. */
	CHECK_EQ(bch_jset_seal(j, 128 + 99 * 16, &g, s), -EINVAL);
	CHECK_EQ(bch_jset_seal(j, 100, &g, s), -EINVAL);
	/* Another cache set's seed. */
	g.csum_seed ^= 0x100;
	CHECK_EQ(bch_jset_validate(j, sizeof(buf64), &g, s, &why), -EBADMSG);
}

static void test_jset_straddle(void)
{
	struct bch_jset *j;
	const char *why = NULL;
	u64 last_block;

	/* 300 keys need two blocks; at the last block of a bucket: refused. */
	j = jset_fixture(300, 0);
	last_block = jstart() + g.bucket_sectors - g.block_sectors;
	bch_jset_seal(j, sizeof(buf64), &g, last_block);
	CHECK_EQ(bch_jset_validate(j, sizeof(buf64), &g, last_block, &why),
		 -EUCLEAN);
	j = jset_fixture(10, 0);
	bch_jset_seal(j, sizeof(buf64), &g, last_block);
	CHECK_EQ(bch_jset_validate(j, sizeof(buf64), &g, last_block, &why),
		 0);
	/* nr_keys so large the entry cannot fit any bucket. */
	j = jset_fixture(0, 0);
	bch_jset_seal(j, sizeof(buf64), &g, jstart());
	j->nr_keys = cpu_to_le32(0xffffffff);
	CHECK_EQ(bch_jset_validate(j, sizeof(buf64), &g, jstart(), &why),
		 -EUCLEAN);
}

static int jset_mutate(void (*mut)(struct bch_jset *j))
{
	struct bch_jset *j = jset_fixture(4, 0);
	u64 s = jstart();

	mut(j);
	bch_jset_seal(j, sizeof(buf64), &g, s);
	return bch_jset_validate(j, sizeof(buf64), &g, s, NULL);
}

static void jm_none(struct bch_jset *j)
{
	(void)j;
}

static void jm_seq0(struct bch_jset *j)
{
	j->seq = 0;
}

static void jm_last0(struct bch_jset *j)
{
	j->last_seq = 0;
}

static void jm_last_gt(struct bch_jset *j)
{
	j->last_seq = cpu_to_le64(11);
}

static void jm_last_eq(struct bch_jset *j)
{
	j->last_seq = cpu_to_le64(10);
}

static void jm_flags(struct bch_jset *j)
{
	j->flags = cpu_to_le64(2);
}

static void jm_rsv0(struct bch_jset *j)
{
	j->reserved0 = cpu_to_le32(1);
}

static void jm_rsv(struct bch_jset *j)
{
	j->reserved[39] = 1;
}

static void jm_no_root(struct bch_jset *j)
{
	memset(&j->root, 0, sizeof(j->root));
	j->root_level = 0;
}

static void jm_no_root_level(struct bch_jset *j)
{
	memset(&j->root, 0, sizeof(j->root));
}

static void jm_root_level(struct bch_jset *j)
{
	j->root_level = cpu_to_le32(8);
}

static void jm_root_key(struct bch_jset *j)
{
	j->root.key = cpu_to_le64(1);
}

static void jm_root_ptr(struct bch_jset *j)
{
	j->root = bch_key_extent(0, 0, 8, data_sector(0), 0, false);
}

static void jm_bad_key(struct bch_jset *j)
{
	j->keys[3] = bch_key_extent(1, 0, 8, 0, 0, false);
}

static void test_jset_mutations(void)
{
	CHECK_EQ(jset_mutate(jm_none), 0);
	CHECK_EQ(jset_mutate(jm_last_eq), 0);
	CHECK_EQ(jset_mutate(jm_no_root), 0);
	CHECK_EQ(jset_mutate(jm_seq0), -EUCLEAN);
	CHECK_EQ(jset_mutate(jm_last0), -EUCLEAN);
	CHECK_EQ(jset_mutate(jm_last_gt), -EUCLEAN);
	CHECK_EQ(jset_mutate(jm_flags), -EUCLEAN);
	CHECK_EQ(jset_mutate(jm_rsv0), -EUCLEAN);
	CHECK_EQ(jset_mutate(jm_rsv), -EUCLEAN);
	CHECK_EQ(jset_mutate(jm_no_root_level), -EUCLEAN);
	CHECK_EQ(jset_mutate(jm_root_level), -EUCLEAN);
	CHECK_EQ(jset_mutate(jm_root_key), -EUCLEAN);
	CHECK_EQ(jset_mutate(jm_root_ptr), -EUCLEAN);
	CHECK_EQ(jset_mutate(jm_bad_key), -EUCLEAN);
}

static void test_jset_csum_bytes(void)
{
	static u8 copy[4096];
	struct bch_jset *j = jset_fixture(20, 0);
	u64 s = jstart();
	size_t i, end = 128 + 20 * 16;

	bch_jset_seal(j, sizeof(buf64), &g, s);
	for (i = 0; i < end; i++) {
		memcpy(copy, j, sizeof(copy));
		copy[i] ^= 0x40;
		CHECK(bch_jset_validate(copy, sizeof(copy), &g, s, NULL) < 0);
	}
}

/* ---- bsets -------------------------------------------------------------- */

static struct bch_bset *bset_at(u32 offset)
{
	return (struct bch_bset *)((u8 *)buf64 + offset * BCH_SECTOR_SIZE);
}

static struct bch_bset *bset_fixture(u32 offset, u32 idx, u32 level, u32 nr)
{
	struct bch_bset *b = bset_at(offset);
	u32 i;

	b->nr_keys = cpu_to_le32(nr);
	b->node_seq = cpu_to_le64(0x1234567890abcdefULL);
	b->sector = cpu_to_le64(data_sector(2));
	b->journal_seq = cpu_to_le64(55);
	b->offset = cpu_to_le32(offset);
	b->idx = cpu_to_le32(idx);
	b->level = cpu_to_le32(level);
	for (i = 0; i < nr; i++)
		b->keys[i] = level ?
			bch_key_extent(0, i * 1000, g.bucket_sectors,
				       data_sector(3 + i), 0, false) :
			bch_key_extent(i * 2 >= nr, i * 16, 16,
				       data_sector(3) + i * 16, 0, false);
	bch_bset_seal(b, sizeof(buf64) - offset * BCH_SECTOR_SIZE, &g);
	return b;
}

static struct bch_bset_expect expect(u32 offset, u32 idx, int level,
				     u64 node_seq)
{
	struct bch_bset_expect e = {
		.node_sector = data_sector(2),
		.node_seq = node_seq,
		.offset = offset,
		.idx = idx,
		.level = level,
	};
	return e;
}

/* Bytes from @offset to the end of the node. */
static size_t left(u32 offset)
{
	return (g.bucket_sectors - offset) * BCH_SECTOR_SIZE;
}

static void test_bset_roundtrip(void)
{
	struct bch_bset *b;
	struct bch_bset_expect e;
	const char *why = NULL;
	u64 seq = 0x1234567890abcdefULL;
	u32 off2;

	test_default_geom(&sb, &g);
	memset(buf64, 0, sizeof(buf64));
	b = bset_fixture(0, 0, 0, 40);
	e = expect(0, 0, -1, 0);
	CHECK_EQ(bch_bset_validate(b, left(0), &g, &e, &why), 0);
	off2 = bch_bset_bytes(&g, 40) / BCH_SECTOR_SIZE;
	CHECK_EQ(off2, 8);
	b = bset_fixture(off2, 1, 0, 10);
	e = expect(off2, 1, 0, seq);
	CHECK_EQ(bch_bset_validate(b, left(off2), &g, &e, &why), 0);

	/* The log ends at a bset of another incarnation. */
	e = expect(off2, 1, 0, seq + 1);
	CHECK_EQ(bch_bset_validate(b, left(off2), &g, &e, &why), -ESTALE);
	e = expect(off2, 2, 0, seq);
	CHECK_EQ(bch_bset_validate(b, left(off2), &g, &e, &why), -ESTALE);
	e = expect(off2, 1, 1, seq);
	CHECK_EQ(bch_bset_validate(b, left(off2), &g, &e, &why), -EUCLEAN);
	e = expect(off2, 1, 0, seq);
	e.node_sector = data_sector(5);
	CHECK_EQ(bch_bset_validate(b, left(off2), &g, &e, &why), -ESTALE);
	e = expect(off2 + 8, 1, 0, seq);
	CHECK_EQ(bch_bset_validate(b, left(off2), &g, &e, &why), -ESTALE);
	/* Never-written space after the last bset. */
	e = expect(16, 2, 0, seq);
	CHECK_EQ(bch_bset_validate(bset_at(16), left(16), &g, &e, &why),
		 -ENODATA);

	/* Impossible expectations are the caller's bug. */
	e = expect(0, 0, -1, 0);
	e.node_sector = data_sector(0) + 8;
	CHECK_EQ(bch_bset_validate(b, left(0), &g, &e, &why), -EINVAL);
	e.node_sector = (g.data_bucket - 1) * g.bucket_sectors;
	CHECK_EQ(bch_bset_validate(b, left(0), &g, &e, &why), -EINVAL);
	e = expect(3, 0, -1, 0);
	CHECK_EQ(bch_bset_validate(b, left(0), &g, &e, &why), -EINVAL);
	e = expect(g.bucket_sectors, 0, -1, 0);
	CHECK_EQ(bch_bset_validate(b, left(0), &g, &e, &why), -EINVAL);
	e = expect(0, 0, 8, 0);
	CHECK_EQ(bch_bset_validate(b, left(0), &g, &e, &why), -EINVAL);
	CHECK_EQ(bch_bset_validate(b, 63, &g, &e, &why), -EINVAL);
}

static void test_bset_interior(void)
{
	struct bch_bset *b;
	struct bch_bset_expect e = expect(0, 0, -1, 0);
	const char *why = NULL;

	test_default_geom(&sb, &g);
	memset(buf64, 0, sizeof(buf64));
	b = bset_fixture(0, 0, 3, 20);
	CHECK_EQ(bch_bset_validate(b, left(0), &g, &e, &why), 0);
	/* Duplicate interior key. */
	b->keys[5].key = b->keys[4].key;
	bch_bset_seal(b, left(0), &g);
	CHECK_EQ(bch_bset_validate(b, left(0), &g, &e, &why), -EUCLEAN);
	/* A leaf-style key in an interior node. */
	b = bset_fixture(0, 0, 3, 20);
	b->keys[19] = bch_key_extent(0, 1 << 30, 8, data_sector(9), 0, false);
	bch_bset_seal(b, left(0), &g);
	CHECK_EQ(bch_bset_validate(b, left(0), &g, &e, &why), -EUCLEAN);
	b = bset_fixture(0, 0, 8, 0);
	CHECK_EQ(bch_bset_validate(b, left(0), &g, &e, &why), -EUCLEAN);
}

static int bset_mutate(void (*mut)(struct bch_bset *b))
{
	struct bch_bset *b;
	struct bch_bset_expect e = expect(0, 0, -1, 0);

	test_default_geom(&sb, &g);
	memset(buf64, 0, sizeof(buf64));
	b = bset_fixture(0, 0, 0, 30);
	mut(b);
	bch_bset_seal(b, left(0), &g);
	return bch_bset_validate(b, left(0), &g, &e, NULL);
}

static void bm_none(struct bch_bset *b)
{
	(void)b;
}

static void bm_seq0(struct bch_bset *b)
{
	b->node_seq = 0;
}

static void bm_rsv(struct bch_bset *b)
{
	b->reserved[11] = 1;
}

static void bm_unsorted(struct bch_bset *b)
{
	struct bch_key t = b->keys[7];

	b->keys[7] = b->keys[8];
	b->keys[8] = t;
}

static void bm_overlap(struct bch_bset *b)
{
	/* keys[1] is dev 0 [16, 32): make keys[0] dev 0 [0, 17). */
	b->keys[0] = bch_key_extent(0, 0, 17, data_sector(3), 0, false);
}

static void bm_touching(struct bch_bset *b)
{
	b->keys[0] = bch_key_extent(0, 0, 16, data_sector(4), 0, false);
}

static void bm_other_dev(struct bch_bset *b)
{
	/* keys[15] is dev 1: dev 0 may end exactly at 2^56 before it. */
	b->keys[14] = bch_key_hole(0, BCH_KEY_END_MAX - 100, 100);
}

static void bm_bad_key(struct bch_bset *b)
{
	b->keys[29].ptr = 0;
}

static void bm_too_many(struct bch_bset *b)
{
	b->nr_keys = cpu_to_le32(g.bucket_sectors * 512 / 16);
}

static void test_bset_mutations(void)
{
	CHECK_EQ(bset_mutate(bm_none), 0);
	CHECK_EQ(bset_mutate(bm_touching), 0);
	CHECK_EQ(bset_mutate(bm_seq0), -EUCLEAN);
	CHECK_EQ(bset_mutate(bm_rsv), -EUCLEAN);
	CHECK_EQ(bset_mutate(bm_unsorted), -EUCLEAN);
	CHECK_EQ(bset_mutate(bm_overlap), -EUCLEAN);
	CHECK_EQ(bset_mutate(bm_other_dev), 0);
	CHECK_EQ(bset_mutate(bm_bad_key), -EUCLEAN);
}

static void test_bset_space(void)
{
	struct bch_bset *b;
	struct bch_bset_expect e;
	u32 max, last;

	test_default_geom(&sb, &g);
	max = (g.bucket_sectors * 512 - 64) / 16;
	memset(buf64, 0, sizeof(buf64));
	/* The sealer itself refuses keys that do not fit in the buffer. */
	b = bset_at(0);
	b->nr_keys = cpu_to_le32(max + 1);
	CHECK_EQ(bch_bset_seal(b, left(0), &g), -EINVAL);
	CHECK_EQ(bset_mutate(bm_too_many), -EUCLEAN);
	/* A bset in the last block may hold only what fits there. */
	last = g.bucket_sectors - g.block_sectors;
	memset(buf64, 0, sizeof(buf64));
	b = bset_fixture(last, 1, 0, 2);
	e = expect(last, 1, 0, 0x1234567890abcdefULL);
	CHECK_EQ(bch_bset_validate(b, left(last), &g, &e, NULL), 0);
	b->nr_keys = cpu_to_le32(253);
	bch_bset_seal(b, left(last), &g);
	CHECK_EQ(bch_bset_validate(b, left(last), &g, &e, NULL), -EUCLEAN);
	/* Even when the caller passes a longer buffer than the node. */
	CHECK_EQ(bch_bset_validate(b, left(last) + 4096, &g, &e, NULL),
		 -EUCLEAN);
}

const struct unit_test log_tests[] = {
	UNIT_TEST(test_jset_roundtrip),
	UNIT_TEST(test_jset_straddle),
	UNIT_TEST(test_jset_mutations),
	UNIT_TEST(test_jset_csum_bytes),
	UNIT_TEST(test_bset_roundtrip),
	UNIT_TEST(test_bset_interior),
	UNIT_TEST(test_bset_mutations),
	UNIT_TEST(test_bset_space),
	{ NULL, NULL },
};
