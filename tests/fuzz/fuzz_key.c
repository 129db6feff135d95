// SPDX-License-Identifier: GPL-2.0
/*
 * Single key validation.  Payload: 16 bytes of key; parameter: the level.
 * A key that validates satisfies the rules the btree code relies on, and
 * re-encoding its fields gives back the same bytes.
 */
#include "fuzz.h"

int FUZZ_ENTRY(const u8 *data, size_t size)
{
	const struct bch_geom *g;
	struct bch_key k, r;
	unsigned int level;
	const char *why = NULL;
	u64 s, bs;
	int ret;

	if (size < FUZZ_HDR + sizeof(k))
		return 0;
	g = fuzz_geom(data[1]);
	level = fuzz_param(data) % (BCH_BTREE_MAX_LEVEL + 2);
	memcpy(&k, data + FUZZ_HDR, sizeof(k));
	ret = bch_key_validate(&k, g, level, &why);
	FUZZ_ASSERT(ret <= 0 && (!ret || why));

	r = bch_key_make(bch_key_dev(&k), bch_key_start(&k), bch_ptr_size(&k),
			 bch_ptr_sector(&k), bch_ptr_gen(&k),
			 bch_ptr_is_ptr(&k), bch_ptr_is_dirty(&k));
	FUZZ_ASSERT(!memcmp(&k, &r, sizeof(k)));
	if (ret)
		return 0;

	bs = g->bucket_sectors;
	s = bch_ptr_sector(&k);
	FUZZ_ASSERT(level < BCH_BTREE_MAX_LEVEL && bch_ptr_size(&k));
	if (level) {
		FUZZ_ASSERT(bch_ptr_is_ptr(&k) && !bch_ptr_is_dirty(&k));
		FUZZ_ASSERT(s % bs == 0 && bch_ptr_size(&k) == bs);
	} else {
		FUZZ_ASSERT(bch_key_end(&k) <= BCH_KEY_END_MAX);
	}
	if (bch_ptr_is_ptr(&k)) {
		FUZZ_ASSERT(s >= g->data_bucket * bs);
		FUZZ_ASSERT(s + bch_ptr_size(&k) <= g->nbuckets * bs);
		FUZZ_ASSERT(s / bs == (s + bch_ptr_size(&k) - 1) / bs);
	} else {
		FUZZ_ASSERT(!s && !bch_ptr_gen(&k) && !bch_ptr_is_dirty(&k));
	}
	return 0;
}
