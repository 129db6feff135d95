// SPDX-License-Identifier: GPL-2.0
/*
 * UUID table parser.  Parameter bit 0: the slot.  A table that validates
 * maps every used uuid to exactly one entry, and keeps validating when
 * sealed again into the same slot.
 */
#include "fuzz.h"

int FUZZ_ENTRY(const u8 *data, size_t size)
{
	const struct bch_geom *g;
	struct bch_uuid_set *u;
	unsigned int slot;
	const char *why = NULL;
	size_t len;
	int ret, i;
	u8 *buf;

	if (size < FUZZ_HDR)
		return 0;
	g = fuzz_geom(data[1]);
	slot = fuzz_param(data) & 1;
	buf = fuzz_payload(data, size, &len);
	u = (struct bch_uuid_set *)buf;
	if ((data[0] & FUZZ_RESEAL) && len >= sizeof(*u))
		bch_uuid_set_seal(u, len, g, slot,
				  le64_to_cpu(u->seq) ? le64_to_cpu(u->seq) : 1);
	ret = bch_uuid_set_validate(buf, len, g, slot, &why);
	FUZZ_ASSERT(ret <= 0 && (!ret || why));
	if (!ret) {
		for (i = 0; i < BCH_UUID_ENTRIES; i++) {
			if (!u->entries[i].state)
				continue;
			FUZZ_ASSERT(bch_uuid_lookup(u, u->entries[i].uuid) == i);
			FUZZ_ASSERT(le32_to_cpu(u->entries[i].state) <
				    BCH_UUID_STATE_NR);
		}
		FUZZ_ASSERT(!bch_uuid_set_seal(u, len, g, slot,
					       le64_to_cpu(u->seq)));
		FUZZ_ASSERT(!bch_uuid_set_validate(buf, len, g, slot, NULL));
		FUZZ_ASSERT(bch_uuid_set_validate(buf, len, g, !slot, NULL) ==
			    -ESTALE);
	}
	free(buf);
	return 0;
}
