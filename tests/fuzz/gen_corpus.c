// SPDX-License-Identifier: GPL-2.0
/*
 * Generate the seed corpus of every fuzz target from the real encoders, so
 * that the fuzzers start from valid structures.  Usage: gen_corpus DIR;
 * writes DIR/<target>/seed-NN.  The output is committed; rerun this after a
 * format change (make corpus).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>

#include "fuzz.h"

static const char *outdir;

static void emit(const char *target, int n, u8 flags, u8 geom,
		 unsigned int param, const void *payload, size_t len)
{
	char path[512];
	u8 hdr[FUZZ_HDR] = { flags, geom, param & 0xff, param >> 8 };
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", outdir, target);
	if (mkdir(path, 0755) && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s/seed-%02d", outdir, target, n);
	f = fopen(path, "wb");
	if (!f || fwrite(hdr, 1, sizeof(hdr), f) != sizeof(hdr) ||
	    fwrite(payload, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
}

static void gen_sb(void)
{
	struct bch_sb sb;
	struct bch_geom g;
	unsigned int i;
	int n = 0;

	for (i = 0; i < FUZZ_NGEOMS; i++) {
		fuzz_layout(i, &sb, &g);
		emit("fuzz_sb", n++, 0, 0, g.device_sectors >> 11, &sb,
		     sizeof(sb));
		sb.nbuckets = cpu_to_le64(le64_to_cpu(sb.nbuckets) + 1);
		emit("fuzz_sb", n++, FUZZ_RESEAL, 0, 0, &sb, sizeof(sb));
	}
}

static void gen_uuid(void)
{
	static struct bch_uuid_set u;
	const struct bch_geom *g;
	struct bch_uuid_entry *e;
	int n = 0;
	u8 sel;

	for (sel = 0; sel < FUZZ_NGEOMS; sel += 4) {
		g = fuzz_geom(sel);
		memset(&u, 0, sizeof(u));
		e = &u.entries[0];
		memset(e->uuid, 0x11, sizeof(e->uuid));
		memcpy(e->label, "backing0", 8);
		e->state = cpu_to_le32(BCH_UUID_ATTACHED);
		e->sectors = cpu_to_le64(1 << 21);
		e->fp_len = cpu_to_le32(4096);
		e->fp_csum = cpu_to_le32(0xabcdef01);
		e = &u.entries[7];
		memset(e->uuid, 0x77, sizeof(e->uuid));
		e->state = cpu_to_le32(BCH_UUID_CLEAN);
		bch_uuid_set_seal(&u, sizeof(u), g, 1, 2);
		emit("fuzz_uuid", n++, 0, sel, 1, &u, sizeof(u));
		emit("fuzz_uuid", n++, FUZZ_RESEAL, sel, 0, &u, sizeof(u));
	}
}

static void gen_prio(void)
{
	struct bch_prio_page p;
	const struct bch_geom *g;
	u32 page, i, nr;
	int n = 0;
	u8 sel;

	for (sel = 0; sel < FUZZ_NGEOMS; sel += 2) {
		g = fuzz_geom(sel);
		for (page = 0; page < g->prio_pages; page += g->prio_pages - 1) {
			memset(&p, 0, sizeof(p));
			nr = bch_prio_page_nr(g, page);
			for (i = 0; i < nr; i++) {
				u64 b = (u64)page * BCH_PRIOS_PER_PAGE + i;

				p.entries[i].type = b < g->data_bucket ?
					BCH_BUCKET_META : i % 4;
				if (p.entries[i].type == BCH_BUCKET_META &&
				    b >= g->data_bucket)
					p.entries[i].type = BCH_BUCKET_FREE;
				p.entries[i].gen = i;
				p.entries[i].prio = cpu_to_le16(i * 7);
			}
			bch_prio_page_seal(&p, sizeof(p), g, page, 0, 3);
			emit("fuzz_prio", n++, 0, sel, page << 1, &p,
			     sizeof(p));
			if (g->prio_pages == 1)
				break;
		}
	}
}

/* Three journal entries at the start of journal bucket 1. */
static void gen_jset(void)
{
	static u8 buf[3 * 65536];
	const struct bch_geom *g;
	struct bch_jset *j;
	size_t off, bytes;
	u64 data;
	u32 e, i;
	int n = 0;
	u8 sel;

	for (sel = 0; sel < 3; sel++) {
		g = fuzz_geom(sel);
		data = bch_bucket_to_sector(g, g->data_bucket);
		memset(buf, 0, sizeof(buf));
		for (e = 0, off = 0; e < 3; e++, off += bytes) {
			u32 nr = e * 5;

			j = (struct bch_jset *)(buf + off);
			bytes = bch_jset_bytes(g, nr);
			if ((off + bytes) >> BCH_SECTOR_SHIFT >
			    g->bucket_sectors)
				break;
			j->nr_keys = cpu_to_le32(nr);
			j->seq = cpu_to_le64(10 + e);
			j->last_seq = cpu_to_le64(9);
			j->root = bch_key_extent(0, 0, g->bucket_sectors,
						 data, 0, false);
			j->root_level = cpu_to_le32(1);
			for (i = 0; i < nr; i++)
				j->keys[i] = i & 1 ? bch_key_hole(2, i * 8, 8) :
					bch_key_extent(1, i * 8, 8,
						       data + g->bucket_sectors,
						       3, i & 2);
			bch_jset_seal(j, sizeof(buf) - off, g,
				      bch_journal_bucket_sector(g, 1) +
				      (off >> BCH_SECTOR_SHIFT));
		}
		emit("fuzz_jset", n++, 0, sel, 1, buf, off);
		emit("fuzz_jset", n++, FUZZ_RESEAL, sel, 1, buf, off);
	}
}

static struct bch_key seed_key(const struct bch_geom *g, u32 level, u32 s,
			       u32 i)
{
	u64 data = bch_bucket_to_sector(g, g->data_bucket + 6 + i);

	if (level)
		return bch_key_extent(0, i * 100, g->bucket_sectors, data, 1,
				      false);
	return bch_key_extent(s, i * 4, 4, data, 1, false);
}

/* Fill in bset @s of a node at data bucket 5; false if it does not fit. */
static bool seed_bset(const struct bch_geom *g, u8 *buf, size_t off,
		      size_t *bytes, u32 s, u32 level)
{
	struct bch_bset *b = (struct bch_bset *)(buf + off);
	u32 i, nr = 2 + s;

	*bytes = bch_bset_bytes(g, nr);
	if ((off + *bytes) >> BCH_SECTOR_SHIFT > g->bucket_sectors ||
	    off + *bytes > 16384)
		return false;
	b->nr_keys = cpu_to_le32(nr);
	b->node_seq = cpu_to_le64(0x0123456789abcdefULL);
	b->sector = cpu_to_le64(bch_bucket_to_sector(g, g->data_bucket + 5));
	b->journal_seq = cpu_to_le64(4);
	b->offset = cpu_to_le32(off >> BCH_SECTOR_SHIFT);
	b->idx = cpu_to_le32(s);
	b->level = cpu_to_le32(level);
	for (i = 0; i < nr; i++)
		b->keys[i] = seed_key(g, level, s, i);
	bch_bset_seal(b, 16384 - off, g);
	return true;
}

/* A node with a few bsets; interior if @level. */
static void gen_bset(void)
{
	static u8 buf[16384];
	const struct bch_geom *g;
	size_t off, bytes;
	u32 s, level;
	int n = 0;
	u8 sel;

	for (sel = 0; sel < 3; sel++) {
		g = fuzz_geom(sel);
		for (level = 0; level < 2; level++) {
			memset(buf, 0, sizeof(buf));
			for (s = 0, off = 0; s < 3; s++, off += bytes)
				if (!seed_bset(g, buf, off, &bytes, s, level))
					break;
			emit("fuzz_bset", n++, 0, sel, 5, buf, off);
			emit("fuzz_bset", n++, FUZZ_RESEAL | FUZZ_ALT, sel, 5,
			     buf, off);
		}
	}
}

static void gen_key(void)
{
	const struct bch_geom *g;
	struct bch_key k;
	int n = 0;
	u8 sel;

	for (sel = 0; sel < FUZZ_NGEOMS; sel += 2) {
		u64 data;

		g = fuzz_geom(sel);
		data = bch_bucket_to_sector(g, g->data_bucket);
		k = bch_key_extent(1, 1000, 8, data, 2, true);
		emit("fuzz_key", n++, 0, sel, 0, &k, sizeof(k));
		k = bch_key_hole(255, 5, 65535);
		emit("fuzz_key", n++, 0, sel, 0, &k, sizeof(k));
		k = bch_key_extent(0, 0, g->bucket_sectors, data, 9, false);
		emit("fuzz_key", n++, 0, sel, 2, &k, sizeof(k));
	}
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen_corpus DIR\n");
		return 2;
	}
	outdir = argv[1];
	gen_sb();
	gen_uuid();
	gen_prio();
	gen_jset();
	gen_bset();
	gen_key();
	return 0;
}
