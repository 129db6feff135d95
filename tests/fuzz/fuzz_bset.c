// SPDX-License-Identifier: GPL-2.0
/*
 * btree node parser, used the way a node is read: the payload is the node
 * (one bucket, or its beginning), and bsets are read one after the other
 * with the expectations the previous ones set, until the first invalid one.
 * Parameter: the node's bucket, relative to the data area.  With
 * FUZZ_RESEAL each bset's position fields and checksum are fixed up (and,
 * with FUZZ_ALT, node_seq and level too) before it is validated.
 */
#include "fuzz.h"

static void check_bset(const struct bch_bset *b, const struct bch_geom *g,
		       const struct bch_bset_expect *e, size_t left)
{
	u32 i, nr = le32_to_cpu(b->nr_keys), level = le32_to_cpu(b->level);
	const struct bch_key *k, *prev = NULL;

	FUZZ_ASSERT(bch_bset_bytes(g, nr) <= left);
	FUZZ_ASSERT(((u64)e->offset << BCH_SECTOR_SHIFT) +
		    bch_bset_bytes(g, nr) <=
		    (u64)g->bucket_sectors << BCH_SECTOR_SHIFT);
	FUZZ_ASSERT(b->node_seq && level < BCH_BTREE_MAX_LEVEL);
	FUZZ_ASSERT(!e->node_seq || le64_to_cpu(b->node_seq) == e->node_seq);
	for (i = 0; i < nr; prev = k, i++) {
		k = &b->keys[i];
		FUZZ_ASSERT(!bch_key_validate(k, g, level, NULL));
		if (!prev)
			continue;
		FUZZ_ASSERT(bch_key_raw(prev) < bch_key_raw(k));
		FUZZ_ASSERT(level || bch_key_dev(prev) != bch_key_dev(k) ||
			    bch_key_end(prev) <= bch_key_start(k));
	}
}

static void reseal(struct bch_bset *b, const struct bch_geom *g,
		   const struct bch_bset_expect *e, size_t left, bool all)
{
	b->sector = cpu_to_le64(e->node_sector);
	b->offset = cpu_to_le32(e->offset);
	b->idx = cpu_to_le32(e->idx);
	if (all && e->node_seq)
		b->node_seq = cpu_to_le64(e->node_seq);
	if (all && e->level >= 0)
		b->level = cpu_to_le32(e->level);
	bch_bset_seal(b, left, g);
}

int FUZZ_ENTRY(const u8 *data, size_t size)
{
	const struct bch_geom *g;
	struct bch_bset_expect e = { .level = -1 };
	size_t len, off, left, node_bytes;
	const char *why;
	u64 bytes;
	u8 *buf;
	int ret;

	if (size < FUZZ_HDR)
		return 0;
	g = fuzz_geom(data[1]);
	e.node_sector = bch_bucket_to_sector(g, g->data_bucket +
					     fuzz_param(data) %
					     (g->nbuckets - g->data_bucket));
	node_bytes = (size_t)g->bucket_sectors << BCH_SECTOR_SHIFT;
	buf = fuzz_payload(data, size, &len);

	for (off = 0; off < len && off < node_bytes; off += bytes) {
		struct bch_bset *b = (struct bch_bset *)(buf + off);

		left = len - off;
		if (left > node_bytes - off)
			left = node_bytes - off;
		if ((data[0] & FUZZ_RESEAL) && left >= sizeof(*b))
			reseal(b, g, &e, left, data[0] & FUZZ_ALT);
		why = NULL;
		ret = bch_bset_validate(b, left, g, &e, &why);
		FUZZ_ASSERT(ret <= 0 && (!ret || why));
		if (ret)
			break;
		check_bset(b, g, &e, left);
		bytes = bch_bset_bytes(g, le32_to_cpu(b->nr_keys));
		e.node_seq = le64_to_cpu(b->node_seq);
		e.level = le32_to_cpu(b->level);
		e.offset += bytes >> BCH_SECTOR_SHIFT;
		e.idx++;
	}
	free(buf);
	return 0;
}
