/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared parts of the libFuzzer targets.
 *
 * Every input starts with a 4-byte control header, then the payload:
 *   byte 0  flags: FUZZ_RESEAL makes the target fix magic, location fields
 *           and checksum before validating, so the fuzzer reaches the rules
 *           behind the checksum; other bits are target specific
 *   byte 1  geometry: index into fuzz_geoms (modulo)
 *   2..3    a little-endian parameter (slot, page, sector, node, ...)
 * The payload is copied into an exactly sized heap buffer so that ASan
 * catches any read past the length handed to a validator.
 */
#ifndef _BCACHE_FUZZ_H
#define _BCACHE_FUZZ_H

#include <stdlib.h>
#include <bcache/ondisk.h>

#define FUZZ_HDR	4
#define FUZZ_RESEAL	0x01
#define FUZZ_ALT	0x02

/* An invariant the validator promised is broken: crash loudly. */
#define FUZZ_ASSERT(c)	do { if (!(c)) __builtin_trap(); } while (0)

struct fuzz_geom {
	u32	block;
	u32	bucket;
	u64	dev_sectors;
};

static const struct fuzz_geom fuzz_geoms[] = {
	{ 1, 8, 16384 },		/* 512 B blocks, 4 KiB buckets */
	{ 8, 8, 32768 },		/* 4 KiB blocks and buckets */
	{ 8, 128, 131072 },		/* 64 KiB buckets */
	{ 128, 256, 524288 },		/* 64 KiB blocks, 128 KiB buckets */
	{ 8, 1024, 2097152 },		/* the defaults, 1 GiB */
	{ 2, 32768, 1ULL << 26 },	/* 16 MiB buckets, 32 GiB */
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define FUZZ_NGEOMS	ARRAY_SIZE(fuzz_geoms)

static const u8 fuzz_uuid[BCH_UUID_LEN] = {
	0x5e, 0xed, 0xf0, 0x0d, 0x00, 0x11, 0x42, 0x22,
	0x83, 0x33, 0x44, 0x44, 0x55, 0x55, 0x66, 0x66,
};

/* The superblock and geometry for selector @sel; aborts if impossible. */
static inline void fuzz_layout(unsigned int sel, struct bch_sb *sb,
			       struct bch_geom *g)
{
	const struct fuzz_geom *f = &fuzz_geoms[sel % FUZZ_NGEOMS];
	struct bch_layout_req req = {
		.device_sectors = f->dev_sectors,
		.block_sectors = f->block,
		.bucket_sectors = f->bucket,
		.label = "fuzz",
	};

	memcpy(req.uuid, fuzz_uuid, sizeof(req.uuid));
	if (bch_layout_calc(&req, sb, NULL) ||
	    bch_sb_validate(sb, sizeof(*sb), f->dev_sectors, g, NULL))
		abort();
}

static inline const struct bch_geom *fuzz_geom(unsigned int sel)
{
	static struct bch_geom geoms[FUZZ_NGEOMS];
	static int ready[FUZZ_NGEOMS];
	struct bch_sb sb;

	sel %= FUZZ_NGEOMS;
	if (!ready[sel]) {
		fuzz_layout(sel, &sb, &geoms[sel]);
		ready[sel] = 1;
	}
	return &geoms[sel];
}

static inline unsigned int fuzz_param(const u8 *data)
{
	return data[2] | (unsigned int)data[3] << 8;
}

/* An exact-size private copy of the payload (NULL only if empty). */
static inline u8 *fuzz_payload(const u8 *data, size_t size, size_t *len)
{
	u8 *p;

	*len = size - FUZZ_HDR;
	p = malloc(*len ? *len : 1);
	if (!p)
		abort();
	memcpy(p, data + FUZZ_HDR, *len);
	return p;
}

/*
 * The libFuzzer entry point; its name comes from the Makefile
 * (-DFUZZ_ENTRY=...), which keeps the CamelCase out of the sources.
 */
#ifdef FUZZ_ENTRY
int FUZZ_ENTRY(const u8 *data, size_t size);
#endif

#endif
