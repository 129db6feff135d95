/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bcache on-disk format, version 1: the single definition.
 *
 * Design
 * ======
 *
 * A cache device (SSD) is cut into buckets of bucket_size sectors (a power of
 * two, matching the SSD erase block).  Buckets are the unit of allocation and
 * of reuse: a bucket is written sequentially, then invalidated as a whole by
 * bumping its 8-bit generation.  Every pointer into a bucket carries the gen
 * it was created with, so invalidating a bucket needs no index update: stale
 * pointers are noticed on lookup and dropped by garbage collection.
 *
 * The device is laid out as: a reserved head holding only the superblock,
 * the uuid area (backing device table, two copies), the prio area (per-bucket
 * gen/priority/type, every page in two copies), the journal (a ring of
 * buckets), btree nodes and cached data, and an unused tail guard.  All areas
 * start on bucket boundaries.  The superblock describes the layout and is
 * rarely written; every structure that changes at run time is either written
 * to the older of two slots (uuid table, prio pages), or appended and never
 * overwritten in place (journal entries, btree bsets).  Every structure is
 * protected by a crc32c seeded from the cache set uuid and by its own magic,
 * and (except bsets, which record their node) by the sector it was written
 * to, so neither a torn write, a misdirected write, nor metadata of an
 * earlier format of the same device is ever accepted.
 *
 * The btree is a B+tree of extents keyed by (device id, start sector); a
 * node is one bucket and is a log of sorted sets (bsets) appended block by
 * block.  Keys are 16 bytes.
 *
 * Every structure has a seal function (fill the header, compute the csum) and
 * a validate function that takes a buffer and its length, never reads past
 * it, and returns 0 or a negative errno plus a human readable reason.  Those
 * live in drivers/bcache/ondisk.c, which is pure code (no allocation, no I/O)
 * built both into the module and into the userspace tools and tests.
 *
 * The byte-level specification is Documentation/ondisk-format.rst; the static
 * asserts at the end of this file pin every offset it lists.
 */
#ifndef _BCACHE_ONDISK_H
#define _BCACHE_ONDISK_H

#include "ondisk_env.h"

/* ---- units -------------------------------------------------------------- */

#define BCH_SECTOR_SHIFT	9
#define BCH_SECTOR_SIZE		BIT(BCH_SECTOR_SHIFT)
#define BCH_PAGE_BYTES		4096U
#define BCH_PAGE_SECTORS	(BCH_PAGE_BYTES >> BCH_SECTOR_SHIFT)

/* Sizes in sectors. */
#define BCH_BLOCK_MIN		1U		/* 512 B */
#define BCH_BLOCK_MAX		128U		/* 64 KiB */
#define BCH_BLOCK_DEFAULT	8U		/* 4 KiB */
#define BCH_BUCKET_MIN		8U		/* 4 KiB */
#define BCH_BUCKET_MAX		32768U		/* 16 MiB */
#define BCH_BUCKET_DEFAULT	1024U		/* 512 KiB */

#define BCH_HEAD_MIN_SECTORS	2048U		/* 1 MiB reserved head */
#define BCH_TAIL_MIN_SECTORS	2048U		/* 1 MiB tail guard */
#define BCH_MIN_DATA_BUCKETS	128U
#define BCH_JOURNAL_MIN		2U
#define BCH_JOURNAL_MAX		4096U
#define BCH_JOURNAL_DEF_MIN	4U
#define BCH_JOURNAL_DEF_MAX	256U
#define BCH_JOURNAL_DEF_RATIO	128U		/* default: 1/128 of buckets */

/* Pointers reach 2^38 sectors (128 TiB). */
#define BCH_PTR_SECTOR_BITS	38
#define BCH_MAX_CACHE_SECTORS	BIT_ULL(BCH_PTR_SECTOR_BITS)

/* ---- checksums and magics ----------------------------------------------- */

#define BCH_CSUM_SEED_INIT	0xffffffffU

#define BCH_UUID_MAGIC		0xaebc8dcb79afca86ULL
#define BCH_PRIO_MAGIC		0x8bf27a1c644f6b64ULL
#define BCH_JSET_MAGIC		0x16c202f312eb7fb5ULL
#define BCH_BSET_MAGIC		0x409501a6bb210459ULL

/* ---- superblock --------------------------------------------------------- */

#define BCH_SB_OFFSET		4096U		/* bytes */
#define BCH_SB_SECTOR		(BCH_SB_OFFSET >> BCH_SECTOR_SHIFT)
#define BCH_SB_BYTES		4096U
#define BCH_SB_VERSION		1U
#define BCH_SB_MAGIC_LEN	16
#define BCH_LABEL_LEN		32
#define BCH_UUID_LEN		16

extern const u8 bch_sb_magic[BCH_SB_MAGIC_LEN];

/* sb->flags */
#define BCH_SB_DISCARD		BIT_ULL(0)
#define BCH_SB_FLAGS_KNOWN	(BCH_SB_DISCARD)

/* Features known to this code.  Version 1 defines none. */
#define BCH_FEATURE_COMPAT_SUPP		0ULL
#define BCH_FEATURE_RO_COMPAT_SUPP	0ULL
#define BCH_FEATURE_INCOMPAT_SUPP	0ULL

struct bch_sb {
	__le32	csum;			/* seed BCH_CSUM_SEED_INIT, 4..4095 */
	__le32	version;
	__le32	header_size;		/* BCH_SB_BYTES */
	__le32	csum_seed;		/* bch_csum_seed(set_uuid) */
	u8	magic[BCH_SB_MAGIC_LEN];
	u8	set_uuid[BCH_UUID_LEN];
	u8	label[BCH_LABEL_LEN];
	__le64	feature_compat;
	__le64	feature_ro_compat;
	__le64	feature_incompat;
	__le64	seq;
	__le64	created;		/* seconds since the epoch */
	__le64	flags;
	__le32	block_size;		/* sectors */
	__le32	bucket_size;		/* sectors */
	__le64	device_sectors;
	__le64	nbuckets;
	__le64	uuid_bucket;
	__le64	prio_bucket;
	__le64	journal_bucket;
	__le64	data_bucket;
	__le32	uuid_buckets;
	__le32	prio_buckets;
	__le32	journal_buckets;
	__le32	prio_pages;		/* pages per copy */
	u8	reserved[3896];
};

/*
 * Host-order geometry derived from a validated superblock: what every other
 * validator and every address calculation needs.
 */
struct bch_geom {
	u32	csum_seed;
	u32	block_sectors;
	u32	bucket_sectors;
	u32	uuid_slot_sectors;
	u64	device_sectors;
	u64	nbuckets;
	u64	uuid_bucket;
	u64	prio_bucket;
	u64	journal_bucket;
	u64	data_bucket;
	u32	uuid_buckets;
	u32	prio_buckets;
	u32	journal_buckets;
	u32	prio_pages;
	u64	flags;
	u64	ro_compat_unknown;	/* non-zero: mount read-only or refuse */
};

/* Input of the layout calculator. */
struct bch_layout_req {
	u64		device_sectors;
	u32		block_sectors;
	u32		bucket_sectors;
	u32		journal_buckets;	/* 0: default */
	u64		flags;
	u64		created;
	u8		uuid[BCH_UUID_LEN];
	const char	*label;			/* NULL or <= 31 bytes */
};

/* ---- keys --------------------------------------------------------------- */

struct bch_key {
	__le64	key;	/* 63..56 device id, 55..0 start sector */
	__le64	ptr;	/* 63..26 sector, 25 dirty, 24 ptr, 23..8 size, 7..0 gen */
};

#define BCH_KEY_DEV_SHIFT	56
#define BCH_KEY_START_BITS	56
#define BCH_KEY_START_MASK	(BIT_ULL(BCH_KEY_START_BITS) - 1)
#define BCH_KEY_END_MAX		BIT_ULL(BCH_KEY_START_BITS)

#define BCH_PTR_GEN_MASK	0xffULL
#define BCH_PTR_SIZE_SHIFT	8
#define BCH_PTR_SIZE_MASK	0xffffULL
#define BCH_PTR_SIZE_MAX	65535U
#define BCH_PTR_F_PTR		BIT_ULL(24)
#define BCH_PTR_F_DIRTY		BIT_ULL(25)
#define BCH_PTR_SECTOR_SHIFT	26
#define BCH_PTR_SECTOR_MASK	(BCH_MAX_CACHE_SECTORS - 1)

#define BCH_BTREE_MAX_LEVEL	8	/* levels 0 .. 7 */
#define BCH_GEN_MAX_DISTANCE	127

static inline u64 bch_key_raw(const struct bch_key *k)
{
	return le64_to_cpu(k->key);
}

static inline u64 bch_ptr_raw(const struct bch_key *k)
{
	return le64_to_cpu(k->ptr);
}

static inline u8 bch_key_dev(const struct bch_key *k)
{
	return (u8)(bch_key_raw(k) >> BCH_KEY_DEV_SHIFT);
}

static inline u64 bch_key_start(const struct bch_key *k)
{
	return bch_key_raw(k) & BCH_KEY_START_MASK;
}

static inline u8 bch_ptr_gen(const struct bch_key *k)
{
	return (u8)(bch_ptr_raw(k) & BCH_PTR_GEN_MASK);
}

static inline u32 bch_ptr_size(const struct bch_key *k)
{
	return (u32)((bch_ptr_raw(k) >> BCH_PTR_SIZE_SHIFT) & BCH_PTR_SIZE_MASK);
}

static inline bool bch_ptr_is_ptr(const struct bch_key *k)
{
	return bch_ptr_raw(k) & BCH_PTR_F_PTR;
}

static inline bool bch_ptr_is_dirty(const struct bch_key *k)
{
	return bch_ptr_raw(k) & BCH_PTR_F_DIRTY;
}

static inline u64 bch_ptr_sector(const struct bch_key *k)
{
	return bch_ptr_raw(k) >> BCH_PTR_SECTOR_SHIFT;
}

/* End of the extent (exclusive); may be BCH_KEY_END_MAX, never more. */
static inline u64 bch_key_end(const struct bch_key *k)
{
	return bch_key_start(k) + bch_ptr_size(k);
}

/*
 * Build a key.  Out-of-range inputs are truncated to their fields; validate
 * the result with bch_key_validate() when the inputs are not trusted.
 */
static inline struct bch_key bch_key_make(u8 dev, u64 start, u32 size,
					  u64 sector, u8 gen, bool ptr,
					  bool dirty)
{
	struct bch_key k;
	u64 p;

	p = (u64)gen |
	    (((u64)size & BCH_PTR_SIZE_MASK) << BCH_PTR_SIZE_SHIFT) |
	    (ptr ? BCH_PTR_F_PTR : 0) |
	    (dirty ? BCH_PTR_F_DIRTY : 0) |
	    ((sector & BCH_PTR_SECTOR_MASK) << BCH_PTR_SECTOR_SHIFT);
	k.key = cpu_to_le64(((u64)dev << BCH_KEY_DEV_SHIFT) |
			    (start & BCH_KEY_START_MASK));
	k.ptr = cpu_to_le64(p);
	return k;
}

/* A pointer to cached data. */
static inline struct bch_key bch_key_extent(u8 dev, u64 start, u32 size,
					    u64 sector, u8 gen, bool dirty)
{
	return bch_key_make(dev, start, size, sector, gen, true, dirty);
}

/* A hole (whiteout): erases [start, start + size) in older bsets. */
static inline struct bch_key bch_key_hole(u8 dev, u64 start, u32 size)
{
	return bch_key_make(dev, start, size, 0, 0, false, false);
}

/*
 * Generation arithmetic.  Gens are 8 bits and wrap; a is newer than b when
 * (u8)(a - b) is in 1..127.  GC must rewrite pointers before a bucket's gen
 * moves BCH_GEN_MAX_DISTANCE past a pointer's gen.
 */
static inline u8 bch_gen_distance(u8 newer, u8 older)
{
	return (u8)(newer - older);
}

static inline bool bch_gen_after(u8 a, u8 b)
{
	u8 d = bch_gen_distance(a, b);

	return d != 0 && d <= BCH_GEN_MAX_DISTANCE;
}

/* A pointer is stale when its gen is not the bucket's current gen. */
static inline bool bch_ptr_stale(u8 bucket_gen, const struct bch_key *k)
{
	return bch_ptr_gen(k) != bucket_gen;
}

/* ---- uuid table --------------------------------------------------------- */

#define BCH_UUID_ENTRIES	256

enum bch_uuid_state {
	BCH_UUID_NONE		= 0,	/* free slot: entry is all zero */
	BCH_UUID_ATTACHED	= 1,
	BCH_UUID_CLEAN		= 2,	/* cleanly detached or stopped */
	BCH_UUID_STATE_NR	= 3,
};

#define BCH_FP_MAX_BYTES	BIT(20)

struct bch_uuid_entry {
	u8	uuid[BCH_UUID_LEN];
	u8	label[BCH_LABEL_LEN];
	__le32	state;
	__le32	flags;
	__le64	sectors;		/* backing device size */
	__le32	fp_csum;		/* bch_fingerprint() of first fp_len B */
	__le32	fp_len;
	__le64	first_reg;
	__le64	last_reg;
	u8	reserved[40];
};

struct bch_uuid_set {
	__le32	csum;
	__le32	nr;			/* BCH_UUID_ENTRIES */
	__le64	magic;
	__le64	seq;
	__le64	sector;
	__le32	slot;
	u8	reserved[92];
	struct bch_uuid_entry entries[BCH_UUID_ENTRIES];
};

/*
 * Device id of a backing device in a validated uuid table, or -ENOENT.  A
 * known uuid keeps its entry forever: try this before bch_uuid_free_slot().
 */
static inline int bch_uuid_lookup(const struct bch_uuid_set *u,
				  const u8 *uuid)
{
	static const u8 zero[BCH_UUID_LEN];
	int i;

	if (!memcmp(uuid, zero, BCH_UUID_LEN))
		return -ENOENT;
	for (i = 0; i < BCH_UUID_ENTRIES; i++)
		if (u->entries[i].state &&
		    !memcmp(u->entries[i].uuid, uuid, BCH_UUID_LEN))
			return i;
	return -ENOENT;
}

/* Lowest free entry of a validated uuid table, or -ENOSPC. */
static inline int bch_uuid_free_slot(const struct bch_uuid_set *u)
{
	int i;

	for (i = 0; i < BCH_UUID_ENTRIES; i++)
		if (!u->entries[i].state)
			return i;
	return -ENOSPC;
}

/* ---- prio / gen pages --------------------------------------------------- */

enum bch_bucket_type {
	BCH_BUCKET_FREE		= 0,
	BCH_BUCKET_META		= 1,	/* head, uuid, prio, journal */
	BCH_BUCKET_BTREE	= 2,
	BCH_BUCKET_DATA		= 3,
	BCH_BUCKET_TYPE_NR	= 4,
};

struct bch_prio {
	__le16	prio;
	u8	gen;
	u8	type;
};

#define BCH_PRIO_HDR_BYTES	64U
#define BCH_PRIOS_PER_PAGE	((BCH_PAGE_BYTES - BCH_PRIO_HDR_BYTES) / 4)

struct bch_prio_page {
	__le32	csum;
	__le32	page;
	__le64	magic;
	__le64	seq;
	__le64	sector;
	__le32	nr;
	__le32	slot;
	u8	reserved[24];
	struct bch_prio entries[BCH_PRIOS_PER_PAGE];
};

/* ---- journal ------------------------------------------------------------ */

#define BCH_JSET_CLEAN		BIT_ULL(0)
#define BCH_JSET_FLAGS_KNOWN	(BCH_JSET_CLEAN)

struct bch_jset {
	__le32	csum;
	__le32	nr_keys;
	__le64	magic;
	__le64	seq;
	__le64	last_seq;
	__le64	sector;
	__le64	flags;
	struct bch_key root;
	__le32	root_level;
	__le32	reserved0;
	__le64	uuid_seq;
	__le64	prio_seq;
	u8	reserved[40];
	struct bch_key keys[];
};

/* ---- btree -------------------------------------------------------------- */

struct bch_bset {
	__le32	csum;
	__le32	nr_keys;
	__le64	magic;
	__le64	node_seq;
	__le64	sector;			/* the node's first sector */
	__le64	journal_seq;
	__le32	offset;			/* sectors from the node start */
	__le32	idx;
	__le32	level;
	u8	reserved[12];
	struct bch_key keys[];
};

/*
 * What the reader of a node expects of the next bset.  node_seq == 0 and
 * level < 0 mean "not known yet" (the first bset of a node).
 */
struct bch_bset_expect {
	u64	node_sector;
	u64	node_seq;
	u32	offset;
	u32	idx;
	int	level;
};

static inline bool bch_is_pow2(u64 n)
{
	return n && !(n & (n - 1));
}

/* ---- layout helpers (geometry must come from bch_sb_validate()) --------- */

static inline u64 bch_bucket_to_sector(const struct bch_geom *g, u64 b)
{
	return b * g->bucket_sectors;
}

static inline u64 bch_sector_to_bucket(const struct bch_geom *g, u64 s)
{
	return s / g->bucket_sectors;
}

static inline u64 bch_uuid_slot_sector(const struct bch_geom *g,
				       unsigned int slot)
{
	return bch_bucket_to_sector(g, g->uuid_bucket) +
		(u64)slot * g->uuid_slot_sectors;
}

static inline u64 bch_prio_page_sector(const struct bch_geom *g, u32 page,
				       unsigned int slot)
{
	return bch_bucket_to_sector(g, g->prio_bucket) +
		((u64)slot * g->prio_pages + page) * BCH_PAGE_SECTORS;
}

/* Entries held by prio page @page. */
static inline u32 bch_prio_page_nr(const struct bch_geom *g, u32 page)
{
	u64 first = (u64)page * BCH_PRIOS_PER_PAGE;

	if (first >= g->nbuckets)
		return 0;
	if (g->nbuckets - first < BCH_PRIOS_PER_PAGE)
		return (u32)(g->nbuckets - first);
	return BCH_PRIOS_PER_PAGE;
}

static inline u64 bch_journal_bucket_sector(const struct bch_geom *g, u32 i)
{
	return bch_bucket_to_sector(g, g->journal_bucket + i);
}

static inline u64 bch_round_up_block(const struct bch_geom *g, u64 bytes)
{
	u64 bb = (u64)g->block_sectors << BCH_SECTOR_SHIFT;

	return (bytes + bb - 1) & ~(bb - 1);
}

/* Bytes a journal entry / bset occupies on disk (whole blocks). */
static inline u64 bch_jset_bytes(const struct bch_geom *g, u32 nr_keys)
{
	return bch_round_up_block(g, sizeof(struct bch_jset) +
				  (u64)nr_keys * sizeof(struct bch_key));
}

static inline u64 bch_bset_bytes(const struct bch_geom *g, u32 nr_keys)
{
	return bch_round_up_block(g, sizeof(struct bch_bset) +
				  (u64)nr_keys * sizeof(struct bch_key));
}

/*
 * A/B slot choice.  Readers take the valid slot with the higher seq (-1 if
 * neither is valid); writers overwrite an invalid slot, else the older one.
 */
static inline int bch_ab_pick_read(bool valid_a, u64 seq_a,
				   bool valid_b, u64 seq_b)
{
	if (valid_a && valid_b)
		return seq_b > seq_a ? 1 : 0;
	if (valid_a)
		return 0;
	if (valid_b)
		return 1;
	return -1;
}

static inline int bch_ab_pick_write(bool valid_a, u64 seq_a,
				    bool valid_b, u64 seq_b)
{
	int cur = bch_ab_pick_read(valid_a, seq_a, valid_b, seq_b);

	return cur == 0 ? 1 : 0;
}

/* ---- ondisk.c ----------------------------------------------------------- */

u32 bch_crc32c(u32 seed, const void *buf, size_t len);
u32 bch_csum_seed(const u8 *uuid);

int bch_layout_calc(const struct bch_layout_req *req, struct bch_sb *sb,
		    const char **why);
u64 bch_layout_min_sectors(u32 block_sectors, u32 bucket_sectors,
			   u32 journal_buckets);
void bch_sb_seal(struct bch_sb *sb);
int bch_sb_validate(const void *buf, size_t len, u64 dev_sectors,
		    struct bch_geom *g, const char **why);

int bch_key_validate(const struct bch_key *k, const struct bch_geom *g,
		     unsigned int level, const char **why);

int bch_uuid_set_seal(struct bch_uuid_set *u, size_t len,
		      const struct bch_geom *g, unsigned int slot, u64 seq);
int bch_uuid_set_validate(const void *buf, size_t len,
			  const struct bch_geom *g, unsigned int slot,
			  const char **why);

int bch_prio_page_seal(struct bch_prio_page *p, size_t len,
		       const struct bch_geom *g, u32 page, unsigned int slot,
		       u64 seq);
int bch_prio_page_validate(const void *buf, size_t len,
			   const struct bch_geom *g, u32 page,
			   unsigned int slot, const char **why);

int bch_jset_seal(struct bch_jset *j, size_t len, const struct bch_geom *g,
		  u64 sector);
int bch_jset_validate(const void *buf, size_t len, const struct bch_geom *g,
		      u64 sector, const char **why);

int bch_bset_seal(struct bch_bset *b, size_t len, const struct bch_geom *g);
int bch_bset_validate(const void *buf, size_t len, const struct bch_geom *g,
		      const struct bch_bset_expect *e, const char **why);

/*
 * Fingerprint of the first @len bytes (0 .. BCH_FP_MAX_BYTES, a multiple of
 * 512) of a backing device, for bch_uuid_entry.fp_csum. It is seeded with
 * the constant BCH_CSUM_SEED_INIT, not the cache's seed: it describes the
 * backing device, and is only ever compared with a value computed the same
 * way.
 */
static inline u32 bch_fingerprint(const void *buf, size_t len)
{
	return len ? bch_crc32c(BCH_CSUM_SEED_INIT, buf, len) : 0;
}

/* ---- layout asserts: keep in sync with Documentation/ondisk-format.rst -- */

static_assert(sizeof(struct bch_sb) == BCH_SB_BYTES, "bch_sb size");
static_assert(offsetof(struct bch_sb, version) == 0x004, "sb version");
static_assert(offsetof(struct bch_sb, header_size) == 0x008, "sb hdr size");
static_assert(offsetof(struct bch_sb, csum_seed) == 0x00c, "sb csum_seed");
static_assert(offsetof(struct bch_sb, magic) == 0x010, "sb magic");
static_assert(offsetof(struct bch_sb, set_uuid) == 0x020, "sb set_uuid");
static_assert(offsetof(struct bch_sb, label) == 0x030, "sb label");
static_assert(offsetof(struct bch_sb, feature_compat) == 0x050, "sb compat");
static_assert(offsetof(struct bch_sb, feature_ro_compat) == 0x058, "sb ro");
static_assert(offsetof(struct bch_sb, feature_incompat) == 0x060, "sb inc");
static_assert(offsetof(struct bch_sb, seq) == 0x068, "sb seq");
static_assert(offsetof(struct bch_sb, created) == 0x070, "sb created");
static_assert(offsetof(struct bch_sb, flags) == 0x078, "sb flags");
static_assert(offsetof(struct bch_sb, block_size) == 0x080, "sb block");
static_assert(offsetof(struct bch_sb, bucket_size) == 0x084, "sb bucket");
static_assert(offsetof(struct bch_sb, device_sectors) == 0x088, "sb devsz");
static_assert(offsetof(struct bch_sb, nbuckets) == 0x090, "sb nbuckets");
static_assert(offsetof(struct bch_sb, uuid_bucket) == 0x098, "sb uuid b");
static_assert(offsetof(struct bch_sb, prio_bucket) == 0x0a0, "sb prio b");
static_assert(offsetof(struct bch_sb, journal_bucket) == 0x0a8, "sb jnl b");
static_assert(offsetof(struct bch_sb, data_bucket) == 0x0b0, "sb data b");
static_assert(offsetof(struct bch_sb, uuid_buckets) == 0x0b8, "sb uuid n");
static_assert(offsetof(struct bch_sb, prio_buckets) == 0x0bc, "sb prio n");
static_assert(offsetof(struct bch_sb, journal_buckets) == 0x0c0, "sb jnl n");
static_assert(offsetof(struct bch_sb, prio_pages) == 0x0c4, "sb prio pgs");
static_assert(offsetof(struct bch_sb, reserved) == 0x0c8, "sb reserved");

static_assert(sizeof(struct bch_key) == 16, "bch_key size");

static_assert(sizeof(struct bch_uuid_entry) == 128, "uuid entry size");
static_assert(offsetof(struct bch_uuid_entry, label) == 0x10, "ue label");
static_assert(offsetof(struct bch_uuid_entry, state) == 0x30, "ue state");
static_assert(offsetof(struct bch_uuid_entry, flags) == 0x34, "ue flags");
static_assert(offsetof(struct bch_uuid_entry, sectors) == 0x38, "ue size");
static_assert(offsetof(struct bch_uuid_entry, fp_csum) == 0x40, "ue fp");
static_assert(offsetof(struct bch_uuid_entry, fp_len) == 0x44, "ue fp_len");
static_assert(offsetof(struct bch_uuid_entry, first_reg) == 0x48, "ue reg");
static_assert(offsetof(struct bch_uuid_entry, last_reg) == 0x50, "ue last");
static_assert(offsetof(struct bch_uuid_entry, reserved) == 0x58, "ue rsv");
static_assert(offsetof(struct bch_uuid_set, magic) == 0x08, "us magic");
static_assert(offsetof(struct bch_uuid_set, seq) == 0x10, "us seq");
static_assert(offsetof(struct bch_uuid_set, sector) == 0x18, "us sector");
static_assert(offsetof(struct bch_uuid_set, slot) == 0x20, "us slot");
static_assert(offsetof(struct bch_uuid_set, entries) == 0x80, "us entries");
static_assert(sizeof(struct bch_uuid_set) == 0x80 + 128 * 256, "us size");

static_assert(sizeof(struct bch_prio) == 4, "prio entry size");
static_assert(BCH_PRIOS_PER_PAGE == 1008, "prios per page");
static_assert(sizeof(struct bch_prio_page) == BCH_PAGE_BYTES, "prio page");
static_assert(offsetof(struct bch_prio_page, magic) == 0x08, "pp magic");
static_assert(offsetof(struct bch_prio_page, seq) == 0x10, "pp seq");
static_assert(offsetof(struct bch_prio_page, sector) == 0x18, "pp sector");
static_assert(offsetof(struct bch_prio_page, nr) == 0x20, "pp nr");
static_assert(offsetof(struct bch_prio_page, slot) == 0x24, "pp slot");
static_assert(offsetof(struct bch_prio_page, entries) == 0x40, "pp ents");

static_assert(sizeof(struct bch_jset) == 0x80, "jset header size");
static_assert(offsetof(struct bch_jset, magic) == 0x08, "jset magic");
static_assert(offsetof(struct bch_jset, seq) == 0x10, "jset seq");
static_assert(offsetof(struct bch_jset, last_seq) == 0x18, "jset last");
static_assert(offsetof(struct bch_jset, sector) == 0x20, "jset sector");
static_assert(offsetof(struct bch_jset, flags) == 0x28, "jset flags");
static_assert(offsetof(struct bch_jset, root) == 0x30, "jset root");
static_assert(offsetof(struct bch_jset, root_level) == 0x40, "jset level");
static_assert(offsetof(struct bch_jset, uuid_seq) == 0x48, "jset uuid");
static_assert(offsetof(struct bch_jset, prio_seq) == 0x50, "jset prio");
static_assert(offsetof(struct bch_jset, reserved) == 0x58, "jset rsv");
static_assert(offsetof(struct bch_jset, keys) == 0x80, "jset keys");

static_assert(sizeof(struct bch_bset) == 0x40, "bset header size");
static_assert(offsetof(struct bch_bset, magic) == 0x08, "bset magic");
static_assert(offsetof(struct bch_bset, node_seq) == 0x10, "bset node_seq");
static_assert(offsetof(struct bch_bset, sector) == 0x18, "bset sector");
static_assert(offsetof(struct bch_bset, journal_seq) == 0x20, "bset jseq");
static_assert(offsetof(struct bch_bset, offset) == 0x28, "bset offset");
static_assert(offsetof(struct bch_bset, idx) == 0x2c, "bset idx");
static_assert(offsetof(struct bch_bset, level) == 0x30, "bset level");
static_assert(offsetof(struct bch_bset, keys) == 0x40, "bset keys");

#endif /* _BCACHE_ONDISK_H */
