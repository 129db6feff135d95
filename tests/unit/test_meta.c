// SPDX-License-Identifier: GPL-2.0
/* UUID table and prio page tests. */
#include <stdlib.h>
#include "unit.h"

static struct bch_uuid_set *uuid_fixture(struct bch_geom *g, unsigned int slot)
{
	static struct bch_uuid_set u;
	struct bch_sb sb;
	struct bch_uuid_entry *e;

	test_default_geom(&sb, g);
	memset(&u, 0, sizeof(u));
	e = &u.entries[5];
	memset(e->uuid, 0xab, 16);
	strcpy((char *)e->label, "backing");
	e->state = cpu_to_le32(BCH_UUID_ATTACHED);
	e->sectors = cpu_to_le64(1 << 30);
	e->fp_len = cpu_to_le32(BCH_FP_MAX_BYTES);
	e->fp_csum = cpu_to_le32(0x12345678);
	e->first_reg = cpu_to_le64(1);
	e->last_reg = cpu_to_le64(2);
	e = &u.entries[255];
	memset(e->uuid, 0xcd, 16);
	e->state = cpu_to_le32(BCH_UUID_CLEAN);
	if (bch_uuid_set_seal(&u, sizeof(u), g, slot, 3))
		abort();
	return &u;
}

static void test_uuid_roundtrip(void)
{
	struct bch_geom g;
	struct bch_uuid_set *u;
	const char *why = NULL;
	u8 id[16];

	u = uuid_fixture(&g, 0);
	CHECK_EQ(bch_uuid_set_validate(u, sizeof(*u), &g, 0, &why), 0);
	CHECK_EQ(le64_to_cpu(u->sector), g.uuid_bucket * g.bucket_sectors);
	/* Read back from the other slot: a misdirected or stale copy. */
	CHECK_EQ(bch_uuid_set_validate(u, sizeof(*u), &g, 1, &why), -ESTALE);
	u = uuid_fixture(&g, 1);
	CHECK_EQ(bch_uuid_set_validate(u, sizeof(*u), &g, 1, &why), 0);
	CHECK_EQ(le64_to_cpu(u->sector),
		 g.uuid_bucket * g.bucket_sectors + g.uuid_slot_sectors);
	CHECK_EQ(bch_uuid_set_validate(u, sizeof(*u), &g, 2, &why), -EINVAL);
	CHECK_EQ(bch_uuid_set_validate(u, sizeof(*u) - 1, &g, 1, &why),
		 -EINVAL);
	CHECK_EQ(bch_uuid_set_seal(u, sizeof(*u), &g, 2, 1), -EINVAL);
	CHECK_EQ(bch_uuid_set_seal(u, sizeof(*u), &g, 0, 0), -EINVAL);
	CHECK_EQ(bch_uuid_set_seal(u, 100, &g, 0, 1), -EINVAL);

	memset(id, 0xab, 16);
	CHECK_EQ(bch_uuid_lookup(u, id), 5);
	memset(id, 0xcd, 16);
	CHECK_EQ(bch_uuid_lookup(u, id), 255);
	memset(id, 0x01, 16);
	CHECK_EQ(bch_uuid_lookup(u, id), -ENOENT);
	memset(id, 0, 16);
	CHECK_EQ(bch_uuid_lookup(u, id), -ENOENT);
	CHECK_EQ(bch_uuid_free_slot(u), 0);
}

static void test_uuid_other_set(void)
{
	struct bch_geom g;
	struct bch_uuid_set *u = uuid_fixture(&g, 0);

	/* Metadata of an earlier format (another seed) never validates. */
	g.csum_seed ^= 1;
	CHECK_EQ(bch_uuid_set_validate(u, sizeof(*u), &g, 0, NULL), -EBADMSG);
}

static void test_uuid_csum_bytes(void)
{
	struct bch_geom g;
	struct bch_uuid_set *u = uuid_fixture(&g, 0);
	static struct bch_uuid_set m;
	size_t i;

	for (i = 0; i < sizeof(m); i += 61) {
		m = *u;
		((u8 *)&m)[i] ^= 0x80;
		CHECK(bch_uuid_set_validate(&m, sizeof(m), &g, 0, NULL) < 0);
	}
}

#define UUID_MUT(n, body)						\
	static void umut_##n(struct bch_uuid_set *u) { body; }

UUID_MUT(state, u->entries[5].state = cpu_to_le32(3))
UUID_MUT(free_dirty, u->entries[9].label[3] = 1)
UUID_MUT(zero_uuid, memset(u->entries[5].uuid, 0, 16))
UUID_MUT(label, memset(u->entries[5].label, 'x', 32))
UUID_MUT(label_pad, u->entries[5].label[31] = 'x')
UUID_MUT(flags, u->entries[5].flags = cpu_to_le32(1))
UUID_MUT(reserved, u->entries[5].reserved[39] = 1)
UUID_MUT(fp_len_odd, u->entries[5].fp_len = cpu_to_le32(1000))
UUID_MUT(fp_len_big, u->entries[5].fp_len = cpu_to_le32(BCH_FP_MAX_BYTES + 512))
UUID_MUT(fp_no_len, u->entries[255].fp_csum = cpu_to_le32(1))
UUID_MUT(duplicate, memset(u->entries[255].uuid, 0xab, 16))
UUID_MUT(nr, u->nr = cpu_to_le32(255))
UUID_MUT(seq, u->seq = 0)
UUID_MUT(hdr_reserved, u->reserved[0] = 1)

static const struct {
	const char *name;
	void (*mut)(struct bch_uuid_set *u);
} uuid_mutations[] = {
	{ "state", umut_state }, { "free_dirty", umut_free_dirty },
	{ "zero_uuid", umut_zero_uuid }, { "label", umut_label },
	{ "label_pad", umut_label_pad }, { "flags", umut_flags },
	{ "reserved", umut_reserved }, { "fp_len_odd", umut_fp_len_odd },
	{ "fp_len_big", umut_fp_len_big }, { "fp_no_len", umut_fp_no_len },
	{ "duplicate", umut_duplicate }, { "nr", umut_nr },
	{ "seq", umut_seq }, { "hdr_reserved", umut_hdr_reserved },
};

static void test_uuid_mutations(void)
{
	struct bch_geom g;
	struct bch_uuid_set *u;
	const char *why;
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(uuid_mutations);
	     i++) {
		u = uuid_fixture(&g, 0);
		uuid_mutations[i].mut(u);
		/* Reseal without touching nr/seq: recompute the csum only. */
		u->csum = cpu_to_le32(bch_crc32c(g.csum_seed, &u->nr,
						 sizeof(*u) - 4));
		why = NULL;
		ret = bch_uuid_set_validate(u, sizeof(*u), &g, 0, &why);
		if (ret != -EUCLEAN)
			fprintf(stderr, "  mutation %s: %d\n",
				uuid_mutations[i].name, ret);
		CHECK_EQ(ret, -EUCLEAN);
		CHECK(why);
	}
	u = uuid_fixture(&g, 0);
	u->magic ^= cpu_to_le64(1);
	CHECK_EQ(bch_uuid_set_validate(u, sizeof(*u), &g, 0, NULL), -ENODATA);
}

/* ---- prio pages --------------------------------------------------------- */

static void fill_prio(struct bch_prio_page *p, const struct bch_geom *g,
		      u32 page)
{
	u32 i, nr = bch_prio_page_nr(g, page);
	u64 b;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < nr; i++) {
		b = (u64)page * BCH_PRIOS_PER_PAGE + i;
		p->entries[i].prio = cpu_to_le16(i);
		p->entries[i].gen = i & 0xff;
		p->entries[i].type = b < g->data_bucket ? BCH_BUCKET_META :
				     (i % 3 == 0 ? BCH_BUCKET_DATA :
				      i % 3 == 1 ? BCH_BUCKET_BTREE :
				      BCH_BUCKET_FREE);
	}
}

static void test_prio_roundtrip(void)
{
	struct bch_sb sb;
	struct bch_geom g;
	struct bch_prio_page p;
	const char *why = NULL;
	u32 page;
	unsigned int slot;

	test_default_geom(&sb, &g);
	CHECK_EQ(g.prio_pages, 3);
	CHECK_EQ(bch_prio_page_nr(&g, 0), 1008);
	CHECK_EQ(bch_prio_page_nr(&g, 2), 2046 - 2016);
	CHECK_EQ(bch_prio_page_nr(&g, 3), 0);
	for (page = 0; page < g.prio_pages; page++) {
		for (slot = 0; slot < 2; slot++) {
			fill_prio(&p, &g, page);
			CHECK_EQ(bch_prio_page_seal(&p, sizeof(p), &g, page,
						    slot, 9), 0);
			CHECK_EQ(bch_prio_page_validate(&p, sizeof(p), &g,
							page, slot, &why), 0);
			CHECK_EQ(le64_to_cpu(p.sector),
				 g.prio_bucket * g.bucket_sectors +
				 (slot * g.prio_pages + page) * 8);
			CHECK_EQ(bch_prio_page_validate(&p, sizeof(p), &g,
							page, !slot, &why),
				 -ESTALE);
		}
	}
	fill_prio(&p, &g, 0);
	CHECK_EQ(bch_prio_page_seal(&p, sizeof(p), &g, 3, 0, 1), -EINVAL);
	CHECK_EQ(bch_prio_page_seal(&p, sizeof(p), &g, 0, 2, 1), -EINVAL);
	CHECK_EQ(bch_prio_page_seal(&p, sizeof(p), &g, 0, 0, 0), -EINVAL);
	CHECK_EQ(bch_prio_page_seal(&p, 4095, &g, 0, 0, 1), -EINVAL);
	CHECK_EQ(bch_prio_page_seal(&p, sizeof(p), &g, 0, 0, 1), 0);
	CHECK_EQ(bch_prio_page_validate(&p, sizeof(p), &g, 1, 0, &why),
		 -ESTALE);
	CHECK_EQ(bch_prio_page_validate(&p, sizeof(p), &g, 3, 0, &why),
		 -EINVAL);
	CHECK_EQ(bch_prio_page_validate(&p, 4095, &g, 0, 0, &why), -EINVAL);
	g.csum_seed++;
	CHECK_EQ(bch_prio_page_validate(&p, sizeof(p), &g, 0, 0, &why),
		 -EBADMSG);
}

static int prio_mutate(u32 page, void (*mut)(struct bch_prio_page *p))
{
	struct bch_sb sb;
	struct bch_geom g;
	struct bch_prio_page p;

	test_default_geom(&sb, &g);
	fill_prio(&p, &g, page);
	bch_prio_page_seal(&p, sizeof(p), &g, page, 0, 5);
	mut(&p);
	p.csum = cpu_to_le32(bch_crc32c(g.csum_seed, &p.page, 4092));
	return bch_prio_page_validate(&p, sizeof(p), &g, page, 0, NULL);
}

static void pm_type(struct bch_prio_page *p)
{
	p->entries[500].type = 4;
}

static void pm_meta_as_data(struct bch_prio_page *p)
{
	p->entries[0].type = BCH_BUCKET_DATA;
}

static void pm_last_meta(struct bch_prio_page *p)
{
	p->entries[18].type = BCH_BUCKET_FREE;
}

static void pm_data_as_meta(struct bch_prio_page *p)
{
	p->entries[19].type = BCH_BUCKET_META;
}

static void pm_unused(struct bch_prio_page *p)
{
	p->entries[BCH_PRIOS_PER_PAGE - 1].gen = 1;
}

static void pm_nr(struct bch_prio_page *p)
{
	p->nr = cpu_to_le32(1008);
}

static void pm_seq(struct bch_prio_page *p)
{
	p->seq = 0;
}

static void pm_reserved(struct bch_prio_page *p)
{
	p->reserved[23] = 1;
}

static void pm_magic(struct bch_prio_page *p)
{
	p->magic = 0;
}

static void pm_none(struct bch_prio_page *p)
{
	(void)p;
}

static void test_prio_mutations(void)
{
	CHECK_EQ(prio_mutate(0, pm_none), 0);
	CHECK_EQ(prio_mutate(2, pm_none), 0);
	CHECK_EQ(prio_mutate(0, pm_type), -EUCLEAN);
	CHECK_EQ(prio_mutate(0, pm_meta_as_data), -EUCLEAN);
	CHECK_EQ(prio_mutate(0, pm_last_meta), -EUCLEAN);
	CHECK_EQ(prio_mutate(0, pm_data_as_meta), -EUCLEAN);
	CHECK_EQ(prio_mutate(2, pm_unused), -EUCLEAN);
	CHECK_EQ(prio_mutate(2, pm_nr), -EUCLEAN);
	CHECK_EQ(prio_mutate(0, pm_seq), -EUCLEAN);
	CHECK_EQ(prio_mutate(0, pm_reserved), -EUCLEAN);
	CHECK_EQ(prio_mutate(0, pm_magic), -ENODATA);
}

static void test_prio_csum_bytes(void)
{
	struct bch_sb sb;
	struct bch_geom g;
	struct bch_prio_page p, m;
	size_t i;

	test_default_geom(&sb, &g);
	fill_prio(&p, &g, 1);
	bch_prio_page_seal(&p, sizeof(p), &g, 1, 1, 5);
	for (i = 0; i < sizeof(p); i++) {
		m = p;
		((u8 *)&m)[i] ^= 0x01;
		CHECK(bch_prio_page_validate(&m, sizeof(m), &g, 1, 1,
					     NULL) < 0);
	}
}

const struct unit_test meta_tests[] = {
	UNIT_TEST(test_uuid_roundtrip),
	UNIT_TEST(test_uuid_other_set),
	UNIT_TEST(test_uuid_csum_bytes),
	UNIT_TEST(test_uuid_mutations),
	UNIT_TEST(test_prio_roundtrip),
	UNIT_TEST(test_prio_mutations),
	UNIT_TEST(test_prio_csum_bytes),
	{ NULL, NULL },
};
