// SPDX-License-Identifier: GPL-2.0
/*
 * Prio page parser.  Parameter: bit 0 the slot, the rest the page index
 * (modulo the pages of the geometry).  A page that validates types its
 * buckets consistently with the layout.
 */
#include "fuzz.h"

int FUZZ_ENTRY(const u8 *data, size_t size)
{
	const struct bch_geom *g;
	struct bch_prio_page *p;
	unsigned int slot, page, i, nr;
	const char *why = NULL;
	size_t len;
	u8 *buf;
	u64 b;
	int ret;

	if (size < FUZZ_HDR)
		return 0;
	g = fuzz_geom(data[1]);
	slot = fuzz_param(data) & 1;
	page = (fuzz_param(data) >> 1) % (g->prio_pages + 1);
	buf = fuzz_payload(data, size, &len);
	p = (struct bch_prio_page *)buf;
	if ((data[0] & FUZZ_RESEAL) && len >= sizeof(*p))
		bch_prio_page_seal(p, len, g, page, slot,
				   le64_to_cpu(p->seq) ? le64_to_cpu(p->seq) : 1);
	ret = bch_prio_page_validate(buf, len, g, page, slot, &why);
	FUZZ_ASSERT(ret <= 0 && (!ret || why));
	if (!ret) {
		FUZZ_ASSERT(page < g->prio_pages);
		nr = le32_to_cpu(p->nr);
		FUZZ_ASSERT(nr && nr <= BCH_PRIOS_PER_PAGE);
		for (i = 0; i < nr; i++) {
			b = (u64)page * BCH_PRIOS_PER_PAGE + i;
			FUZZ_ASSERT(b < g->nbuckets);
			FUZZ_ASSERT(p->entries[i].type < BCH_BUCKET_TYPE_NR);
			FUZZ_ASSERT((p->entries[i].type == BCH_BUCKET_META) ==
				    (b < g->data_bucket));
		}
	}
	free(buf);
	return 0;
}
