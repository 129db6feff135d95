/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bcache-fsck: read-only offline check of a cache device.
 *
 * The checker rebuilds, in memory and without writing anything, the state
 * the kernel would load at registration: the uuid table and prio pages (the
 * newest valid A/B copy, as cache.c and alloc.c pick them), the journal (as
 * journal_replay.c scans and replays it), the btree from the root the newest
 * journal entry names (each node read as a log of bsets, as btree_io.c does)
 * with the journal's keys applied on top. It then cross-checks the result:
 * node buckets against the prio pages, key ranges, pointer generations and
 * types, uuid entries, and that no two live extents share cache sectors.
 *
 * fsck_meta.c   uuid table, prio pages, journal scan
 * fsck_keys.c   sorted key arrays (the kernel's btree_keys.c semantics)
 * fsck_btree.c  reading nodes, walking the tree, journal replay
 * fsck_check.c  cross-checks of the live extents and the buckets
 */
#ifndef _BCACHE_FSCK_H
#define _BCACHE_FSCK_H

#include "util.h"

/* Message tails: what the kernel does about a problem. */
#define FSCK_DROPS	"; the kernel drops the node"
#define FSCK_REFUSES	"; the kernel refuses the cache"

/* Exit codes, as fsck(8). */
#define FSCK_EXIT_OK		0
#define FSCK_EXIT_ERRORS	4
#define FSCK_EXIT_OPERATIONAL	8
#define FSCK_EXIT_USAGE		16

/* Error lines printed before the rest are only counted. */
#define FSCK_MAX_PRINTED	200

/* The kernel reads metadata in chunks of at most this many bytes. */
#define FSCK_READ_CHUNK		BIT(20)

/* Bytes the kernel's validator sees from sector @off of a bucket. */
static inline u64 fsck_chunk(u32 bucket_sectors, u32 off)
{
	u64 rest = (u64)(bucket_sectors - off) << BCH_SECTOR_SHIFT;

	return rest < FSCK_READ_CHUNK ? rest : FSCK_READ_CHUNK;
}

/* A sorted array of keys; @max (0: unlimited) is the kernel's node cap. */
struct fsck_keys {
	struct bch_key	*k;
	u32		nr;
	u32		cap;
	u32		max;
};

/*
 * The key space [0, U64_MAX) cut into consecutive ranges, in key order:
 * each is a leaf with its merged live extents, or a range the kernel cannot
 * reach (an unreadable node, a gap in front of an interior node's first
 * child), where lookups miss and replayed keys are dropped.
 */
struct fsck_range {
	u64		lo, hi;
	u64		bucket;		/* the leaf's bucket */
	bool		leaf;
	struct fsck_keys keys;
};

/* A valid journal entry found by the scan, with a copy of its keys. */
struct fsck_jent {
	u64		seq;
	u64		last_seq;
	u64		sector;
	u64		uuid_seq;
	u64		flags;
	struct bch_key	root;
	u32		root_level;
	u32		bucket;		/* journal bucket index */
	u32		bytes;		/* on disk, whole blocks */
	u32		nr_keys;
	struct bch_key	*keys;
};

/* How a journal bucket's scan ended: what a damaged entry looked like. */
struct fsck_jend {
	u32		off;		/* sectors: where the log ends */
	bool		damaged;	/* our magic there, but invalid */
	bool		broken;		/* -EUCLEAN: written so, not torn */
	u64		seq;		/* its seq field, if broken */
	const char	*why;
	u32		orphan_off;	/* a valid later entry, if any */
	u64		orphan_seq;	/* 0: none */
};

struct fsck {
	const char	*path;
	const char	*name;		/* basename of @path, for messages */
	int		fd;
	u64		dev_bytes;
	bool		verbose;
	bool		layout;
	FILE		*out;		/* the report: stdout, stderr w/ layout */
	bool		io_error;	/* an operational error happened */

	struct bch_geom	g;
	u32		leaf_max;	/* the kernel's live keys per node */
	u8		*buf;		/* one bucket */

	u32		errors;
	u32		warnings;
	u32		printed;

	/* --layout line numbers, per type */
	u32		lay_uuid, lay_prio, lay_journal, lay_btree;

	/* uuid table: the copy the kernel uses, or NULL */
	struct bch_uuid_set *uuids;
	u64		uuid_seq;

	/* prio pages: per bucket, and whether its page had a valid copy */
	struct bch_prio	*prio;
	u8		*prio_known;

	/* journal */
	struct fsck_jent *jents;
	u32		njents;
	u32		jcap;
	struct fsck_jend *jend;		/* per journal bucket */
	const struct fsck_jent *newest;
	u64		last_seq;
	u32		replay_keys;
	u32		replay_stale;
	u32		replay_dropped;

	/* btree */
	u8		*node_map;	/* per bucket: holds a reachable node */
	struct fsck_range *ranges;
	u32		nranges;
	u32		rcap;
	u32		nodes;
	u32		bad_nodes;
	u64		disk_keys;	/* keys in the valid bsets */

	/* results of the cross-checks */
	u64		extents;
	u64		live;
	u64		live_sectors;
	u64		stale;
	u64		dirty;
	u64		buckets_used;
	u64		btree_unref;
};

/* bcache-fsck.c: reporting */
__printf(2, 3) void fsck_error(struct fsck *f, const char *fmt, ...);
__printf(2, 3) void fsck_warning(struct fsck *f, const char *fmt, ...);
__printf(2, 3) void fsck_info(struct fsck *f, const char *fmt, ...);
__printf(6, 7) void fsck_layout(struct fsck *f, const char *type, u32 *idx,
				u64 sector, u64 bytes, const char *fmt, ...);
int fsck_read(struct fsck *f, void *buf, size_t len, u64 sector,
	      const char *what);
void *fsck_alloc(struct fsck *f, size_t n, size_t size);
const char *fsck_pos(u64 raw, char *buf, size_t len);
u32 fsck_bytes_differ(const void *a, const void *b, size_t len);

/* fsck_meta.c */
void fsck_uuids(struct fsck *f);
void fsck_prios(struct fsck *f);
void fsck_journal(struct fsck *f);

/* fsck_keys.c */
u64 fkey_end(const struct bch_key *k);
struct bch_key fkey_cut(const struct bch_key *k, u64 start, u64 end);
u32 fkeys_search(const struct fsck_keys *a, u64 pos);
u32 fkeys_child(const struct fsck_keys *a, u64 pos);
int fkeys_insert_extent(struct fsck_keys *a, const struct bch_key *k);
int fkeys_insert_ptr(struct fsck_keys *a, const struct bch_key *k);
void fkeys_free(struct fsck_keys *a);

/* fsck_btree.c */
void fsck_btree(struct fsck *f);
void fsck_replay(struct fsck *f);

/* fsck_check.c */
void fsck_check_extents(struct fsck *f);

#endif
