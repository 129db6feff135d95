// SPDX-License-Identifier: GPL-2.0
/*
 * bcache on-disk format: checksums, layout calculator, seal and validate
 * functions for every metadata structure.
 *
 * Pure code: no allocation, no I/O, no state.  Built unchanged into the
 * kernel module and into the userspace tools, unit tests and fuzzers.  Every
 * validator takes a buffer and its length, never reads outside it, and
 * returns 0 or a negative errno with a reason in *why:
 *
 *   -EINVAL      bad arguments (short buffer, impossible slot/page/sector)
 *   -ENODATA     wrong magic: no such structure here
 *   -EBADMSG     checksum mismatch (torn write, corruption, old format)
 *   -EOPNOTSUPP  unsupported version or incompatible feature
 *   -ESTALE      valid, but written for another place or node incarnation
 *   -EUCLEAN     checksum matched but the contents break a format rule
 *   -ENOSPC      the device is too small for the format
 *
 * The format is specified in Documentation/ondisk-format.rst.
 */

#include <bcache/ondisk.h>

#ifdef __KERNEL__
#include <linux/crc32c.h>
#endif

const u8 bch_sb_magic[BCH_SB_MAGIC_LEN] = {
	0xee, 0xc3, 0x1a, 0x96, 0x21, 0xe8, 0x9f, 0x8e,
	0x04, 0xd8, 0x45, 0x45, 0xc5, 0x76, 0xc6, 0xea,
};

#ifndef __KERNEL__
/* CRC-32C (Castagnoli), reflected polynomial 0x82f63b78, 4 bits a step. */
static const u32 crc32c_nibble[16] = {
	0x00000000, 0x105ec76f, 0x20bd8ede, 0x30e349b1,
	0x417b1dbc, 0x5125dad3, 0x61c69362, 0x7198540d,
	0x82f63b78, 0x92a8fc17, 0xa24bb5a6, 0xb21572c9,
	0xc38d26c4, 0xd3d3e1ab, 0xe330a81a, 0xf36e6f75,
};
#endif

/**
 * bch_crc32c() - CRC-32C of a buffer with the kernel's crc32c() semantics
 * @seed: initial CRC register value
 * @buf: data
 * @len: bytes of @buf
 *
 * No pre- or post-inversion: the standard CRC-32C of a buffer is
 * ~bch_crc32c(~0, buf, len).
 *
 * Return: the CRC register after @len bytes.
 */
u32 bch_crc32c(u32 seed, const void *buf, size_t len)
{
#ifdef __KERNEL__
	return crc32c(seed, buf, len);
#else
	const u8 *p = buf;
	u32 crc = seed;

	while (len--) {
		crc ^= *p++;
		crc = crc32c_nibble[crc & 0xf] ^ (crc >> 4);
		crc = crc32c_nibble[crc & 0xf] ^ (crc >> 4);
	}
	return crc;
#endif
}

/**
 * bch_csum_seed() - checksum seed of a cache set
 * @uuid: the 16-byte cache set uuid
 *
 * Every structure except the superblock seeds its crc32c with this value,
 * so that metadata of an earlier format of the same device never validates.
 *
 * Return: crc32c(0xffffffff, uuid, 16).
 */
u32 bch_csum_seed(const u8 *uuid)
{
	return bch_crc32c(BCH_CSUM_SEED_INIT, uuid, BCH_UUID_LEN);
}

static int bad(const char **why, int err, const char *msg)
{
	if (why)
		*why = msg;
	return err;
}

static bool all_zero(const void *buf, size_t len)
{
	const u8 *p = buf;

	while (len--)
		if (*p++)
			return false;
	return true;
}

/* A label is NUL-terminated inside its field and NUL-padded after that. */
static bool label_ok(const u8 *label)
{
	size_t n;

	for (n = 0; n < BCH_LABEL_LEN; n++)
		if (!label[n])
			return all_zero(label + n, BCH_LABEL_LEN - n);
	return false;
}

static u64 div_round_up(u64 n, u64 d)
{
	return n / d + (n % d ? 1 : 0);
}

static u32 uuid_slot_sectors(u32 block_sectors)
{
	u64 bb = (u64)block_sectors << BCH_SECTOR_SHIFT;

	return div_round_up(sizeof(struct bch_uuid_set), bb) * block_sectors;
}

static u64 head_buckets(u32 bucket_sectors)
{
	u64 n = div_round_up(BCH_HEAD_MIN_SECTORS, bucket_sectors);

	return n ? n : 1;
}

static u32 journal_default(u64 nbuckets)
{
	u64 j = nbuckets / BCH_JOURNAL_DEF_RATIO;

	if (j < BCH_JOURNAL_DEF_MIN)
		j = BCH_JOURNAL_DEF_MIN;
	if (j > BCH_JOURNAL_DEF_MAX)
		j = BCH_JOURNAL_DEF_MAX;
	return j;
}

static int check_sizes(u32 block, u32 bucket, const char **why)
{
	if (!bch_is_pow2(bucket))
		return bad(why, -EINVAL, "bucket size is not a power of two");
	if (bucket < BCH_BUCKET_MIN)
		return bad(why, -EINVAL, "bucket size is below 4 KiB");
	if (bucket > BCH_BUCKET_MAX)
		return bad(why, -EINVAL, "bucket size is above 16 MiB");
	if (!bch_is_pow2(block))
		return bad(why, -EINVAL, "block size is not a power of two");
	if (block > BCH_BLOCK_MAX)
		return bad(why, -EINVAL, "block size is above 64 KiB");
	if (block > bucket)
		return bad(why, -EINVAL, "block size is larger than bucket size");
	return 0;
}

/* Buckets the layout needs in front of the data area, for @nbuckets. */
static u64 meta_buckets(u32 block, u32 bucket, u64 nbuckets, u32 journal,
			u32 *uuid_b, u32 *prio_pages, u32 *prio_b, u32 *jnl)
{
	u64 pages = div_round_up(nbuckets, BCH_PRIOS_PER_PAGE);

	*uuid_b = div_round_up(2ULL * uuid_slot_sectors(block), bucket);
	*prio_pages = pages;
	*prio_b = div_round_up(2 * pages * BCH_PAGE_SECTORS, bucket);
	*jnl = journal ? journal : journal_default(nbuckets);
	return head_buckets(bucket) + *uuid_b + *prio_b + *jnl;
}

/**
 * bch_layout_min_sectors() - smallest device the layout calculator accepts
 * @block_sectors: block size in sectors (assumed valid)
 * @bucket_sectors: bucket size in sectors (assumed valid)
 * @journal_buckets: journal size in buckets, 0 for the default
 *
 * Return: the minimum device size in sectors, for error messages.
 */
u64 bch_layout_min_sectors(u32 block_sectors, u32 bucket_sectors,
			   u32 journal_buckets)
{
	u32 ub, pp, pb, jb;
	u64 n = 0, need;
	int i;

	if (!bucket_sectors || !block_sectors)
		return 0;
	/* need() is monotonic in n: iterate up to its least fixed point. */
	for (i = 0; i < 64; i++) {
		need = meta_buckets(block_sectors, bucket_sectors, n,
				    journal_buckets, &ub, &pp, &pb, &jb) +
			BCH_MIN_DATA_BUCKETS;
		if (need <= n)
			break;
		n = need;
	}
	return n * bucket_sectors + BCH_TAIL_MIN_SECTORS;
}

/**
 * bch_layout_calc() - compute a complete superblock for a new cache device
 * @req: device size, block and bucket size, journal size, uuid, label, ...
 * @sb: output, fully initialised and sealed on success
 * @why: on failure, a human readable reason
 *
 * Lays out head, uuid area, prio area, journal and data as described in
 * Documentation/ondisk-format.rst.  Devices beyond the reach of a pointer
 * (2^38 sectors) are used only up to that size.
 *
 * Return: 0, -EINVAL for invalid parameters or -ENOSPC if the device is too
 * small to hold the metadata and 128 btree+data buckets.
 */
int bch_layout_calc(const struct bch_layout_req *req, struct bch_sb *sb,
		    const char **why)
{
	u32 block = req->block_sectors, bucket = req->bucket_sectors;
	u32 uuid_b, prio_pages, prio_b, jnl;
	u64 usable, nbuckets, meta, head;
	size_t label_len = 0;
	int ret;

	ret = check_sizes(block, bucket, why);
	if (ret)
		return ret;
	if (req->journal_buckets && (req->journal_buckets < BCH_JOURNAL_MIN ||
				     req->journal_buckets > BCH_JOURNAL_MAX))
		return bad(why, -EINVAL, "journal must be 2 to 4096 buckets");
	if (req->flags & ~BCH_SB_FLAGS_KNOWN)
		return bad(why, -EINVAL, "unknown superblock flags");
	if (all_zero(req->uuid, BCH_UUID_LEN))
		return bad(why, -EINVAL, "uuid is all zero");
	if (req->label) {
		label_len = strnlen(req->label, BCH_LABEL_LEN);
		if (label_len >= BCH_LABEL_LEN)
			return bad(why, -EINVAL, "label is longer than 31 bytes");
	}
	if (req->device_sectors <= BCH_TAIL_MIN_SECTORS)
		return bad(why, -ENOSPC, "device is too small");

	usable = req->device_sectors - BCH_TAIL_MIN_SECTORS;
	if (usable > BCH_MAX_CACHE_SECTORS)
		usable = BCH_MAX_CACHE_SECTORS;
	nbuckets = usable / bucket;
	meta = meta_buckets(block, bucket, nbuckets, req->journal_buckets,
			    &uuid_b, &prio_pages, &prio_b, &jnl);
	if (nbuckets < meta + BCH_MIN_DATA_BUCKETS)
		return bad(why, -ENOSPC,
			   "device is too small: fewer than 128 data buckets");

	head = head_buckets(bucket);
	memset(sb, 0, sizeof(*sb));
	sb->version = cpu_to_le32(BCH_SB_VERSION);
	memcpy(sb->set_uuid, req->uuid, BCH_UUID_LEN);
	if (label_len)
		memcpy(sb->label, req->label, label_len);
	sb->seq = cpu_to_le64(1);
	sb->created = cpu_to_le64(req->created);
	sb->flags = cpu_to_le64(req->flags);
	sb->block_size = cpu_to_le32(block);
	sb->bucket_size = cpu_to_le32(bucket);
	sb->device_sectors = cpu_to_le64(req->device_sectors);
	sb->nbuckets = cpu_to_le64(nbuckets);
	sb->uuid_bucket = cpu_to_le64(head);
	sb->uuid_buckets = cpu_to_le32(uuid_b);
	sb->prio_bucket = cpu_to_le64(head + uuid_b);
	sb->prio_buckets = cpu_to_le32(prio_b);
	sb->prio_pages = cpu_to_le32(prio_pages);
	sb->journal_bucket = cpu_to_le64(head + uuid_b + prio_b);
	sb->journal_buckets = cpu_to_le32(jnl);
	sb->data_bucket = cpu_to_le64(meta);
	bch_sb_seal(sb);
	return 0;
}

/**
 * bch_sb_seal() - finish a superblock for writing
 * @sb: superblock; every field but the ones below must already be set
 *
 * Sets the magic, header_size, csum_seed (from set_uuid) and the checksum.
 * The caller bumps seq before every write of an existing superblock.
 */
void bch_sb_seal(struct bch_sb *sb)
{
	memcpy(sb->magic, bch_sb_magic, BCH_SB_MAGIC_LEN);
	sb->header_size = cpu_to_le32(BCH_SB_BYTES);
	sb->csum_seed = cpu_to_le32(bch_csum_seed(sb->set_uuid));
	sb->csum = cpu_to_le32(bch_crc32c(BCH_CSUM_SEED_INIT, &sb->version,
					  BCH_SB_BYTES - sizeof(sb->csum)));
}

/* Area [start, start + n) lies in [floor, limit). */
static bool area_ok(u64 start, u64 n, u64 floor, u64 limit)
{
	return n && start >= floor && start <= limit && n <= limit - start;
}

static int sb_check_layout(const struct bch_geom *g, const char **why)
{
	u64 bucket = g->bucket_sectors, nb = g->nbuckets;

	if (g->device_sectors < BCH_HEAD_MIN_SECTORS + BCH_TAIL_MIN_SECTORS)
		return bad(why, -EUCLEAN, "recorded device size is too small");
	if (!nb || nb > g->device_sectors / bucket)
		return bad(why, -EUCLEAN, "nbuckets does not fit the device");
	if (g->device_sectors - nb * bucket < BCH_TAIL_MIN_SECTORS)
		return bad(why, -EUCLEAN, "no 1 MiB tail guard after the buckets");
	if (nb * bucket > BCH_MAX_CACHE_SECTORS)
		return bad(why, -EUCLEAN, "buckets beyond the reach of pointers");
	if (!area_ok(g->uuid_bucket, g->uuid_buckets, head_buckets(bucket), nb))
		return bad(why, -EUCLEAN, "uuid area overlaps head or leaves device");
	if ((u64)g->uuid_buckets * bucket < 2ULL * g->uuid_slot_sectors)
		return bad(why, -EUCLEAN, "uuid area too small for two slots");
	if (!area_ok(g->prio_bucket, g->prio_buckets,
		     g->uuid_bucket + g->uuid_buckets, nb))
		return bad(why, -EUCLEAN, "prio area misplaced");
	if (g->prio_pages != div_round_up(nb, BCH_PRIOS_PER_PAGE))
		return bad(why, -EUCLEAN, "prio_pages does not match nbuckets");
	if ((u64)g->prio_buckets * bucket <
	    2ULL * g->prio_pages * BCH_PAGE_SECTORS)
		return bad(why, -EUCLEAN, "prio area too small for two copies");
	if (g->journal_buckets < BCH_JOURNAL_MIN ||
	    g->journal_buckets > BCH_JOURNAL_MAX)
		return bad(why, -EUCLEAN, "journal must be 2 to 4096 buckets");
	if (!area_ok(g->journal_bucket, g->journal_buckets,
		     g->prio_bucket + g->prio_buckets, nb))
		return bad(why, -EUCLEAN, "journal area misplaced");
	if (!area_ok(g->data_bucket, BCH_MIN_DATA_BUCKETS,
		     g->journal_bucket + g->journal_buckets, nb))
		return bad(why, -EUCLEAN, "fewer than 128 btree+data buckets");
	return 0;
}

static void sb_to_geom(const struct bch_sb *sb, struct bch_geom *g)
{
	g->csum_seed = le32_to_cpu(sb->csum_seed);
	g->block_sectors = le32_to_cpu(sb->block_size);
	g->bucket_sectors = le32_to_cpu(sb->bucket_size);
	g->device_sectors = le64_to_cpu(sb->device_sectors);
	g->nbuckets = le64_to_cpu(sb->nbuckets);
	g->uuid_bucket = le64_to_cpu(sb->uuid_bucket);
	g->prio_bucket = le64_to_cpu(sb->prio_bucket);
	g->journal_bucket = le64_to_cpu(sb->journal_bucket);
	g->data_bucket = le64_to_cpu(sb->data_bucket);
	g->uuid_buckets = le32_to_cpu(sb->uuid_buckets);
	g->prio_buckets = le32_to_cpu(sb->prio_buckets);
	g->journal_buckets = le32_to_cpu(sb->journal_buckets);
	g->prio_pages = le32_to_cpu(sb->prio_pages);
	g->flags = le64_to_cpu(sb->flags);
	g->ro_compat_unknown = le64_to_cpu(sb->feature_ro_compat) &
			       ~BCH_FEATURE_RO_COMPAT_SUPP;
}

/**
 * bch_sb_validate() - check a superblock and derive the device geometry
 * @buf: the 4096 bytes read from byte offset 4096 of the device
 * @len: bytes in @buf
 * @dev_sectors: real size of the device in sectors, or 0 if unknown
 * @g: output geometry, written only on success (may be NULL)
 * @why: on failure, a human readable reason
 *
 * Checks magic, checksum, version, features, reserved bytes, uuid and seed,
 * label, sizes and the layout of every area against nbuckets and the device
 * size.  Unknown ro_compat features do not fail: they are returned in
 * @g->ro_compat_unknown, and the caller must then not write the device.
 *
 * Return: 0 or a negative errno (see the top of this file).
 */
int bch_sb_validate(const void *buf, size_t len, u64 dev_sectors,
		    struct bch_geom *g, const char **why)
{
	const struct bch_sb *sb = buf;
	struct bch_geom tmp;
	u32 csum;
	int ret;

	if (!buf || len < sizeof(*sb))
		return bad(why, -EINVAL, "buffer is shorter than a superblock");
	if (memcmp(sb->magic, bch_sb_magic, BCH_SB_MAGIC_LEN))
		return bad(why, -ENODATA, "no bcache superblock (bad magic)");
	if (le32_to_cpu(sb->header_size) != BCH_SB_BYTES)
		return bad(why, -EUCLEAN, "bad header size");
	csum = bch_crc32c(BCH_CSUM_SEED_INIT, &sb->version,
			  BCH_SB_BYTES - sizeof(sb->csum));
	if (csum != le32_to_cpu(sb->csum))
		return bad(why, -EBADMSG, "superblock checksum mismatch");
	if (le32_to_cpu(sb->version) != BCH_SB_VERSION)
		return bad(why, -EOPNOTSUPP, "unsupported superblock version");
	if (le64_to_cpu(sb->feature_incompat) & ~BCH_FEATURE_INCOMPAT_SUPP)
		return bad(why, -EOPNOTSUPP, "unknown incompatible features");
	if (!all_zero(sb->reserved, sizeof(sb->reserved)))
		return bad(why, -EUCLEAN, "reserved bytes are not zero");
	if (le64_to_cpu(sb->flags) & ~BCH_SB_FLAGS_KNOWN)
		return bad(why, -EUCLEAN, "unknown superblock flags");
	if (all_zero(sb->set_uuid, BCH_UUID_LEN))
		return bad(why, -EUCLEAN, "cache set uuid is zero");
	if (le32_to_cpu(sb->csum_seed) != bch_csum_seed(sb->set_uuid))
		return bad(why, -EUCLEAN, "csum_seed does not match the uuid");
	if (!label_ok(sb->label))
		return bad(why, -EUCLEAN, "label not NUL-terminated and padded");

	sb_to_geom(sb, &tmp);
	ret = check_sizes(tmp.block_sectors, tmp.bucket_sectors, why);
	if (ret)
		return -EUCLEAN;
	tmp.uuid_slot_sectors = uuid_slot_sectors(tmp.block_sectors);
	ret = sb_check_layout(&tmp, why);
	if (ret)
		return ret;
	if (dev_sectors && dev_sectors < tmp.device_sectors)
		return bad(why, -ENOSPC,
			   "device is smaller than the superblock says");
	if (g)
		*g = tmp;
	return 0;
}

static bool in_data_area(const struct bch_geom *g, u64 sector)
{
	return sector >= bch_bucket_to_sector(g, g->data_bucket) &&
	       sector < bch_bucket_to_sector(g, g->nbuckets);
}

/**
 * bch_key_validate() - check one btree or journal key
 * @k: the key
 * @g: geometry of the cache device
 * @level: level of the node holding the key; 0 for leaf and journal keys,
 *	   > 0 for node pointers (interior keys and the journal's root)
 * @why: on failure, a human readable reason
 *
 * Leaf pointers must lie inside one bucket of the btree+data area; holes
 * carry no pointer fields; node pointers point at a bucket start in the
 * btree+data area and record the bucket size.
 *
 * Return: 0, -EINVAL for a bad @level, or -EUCLEAN.
 */
int bch_key_validate(const struct bch_key *k, const struct bch_geom *g,
		     unsigned int level, const char **why)
{
	u64 sector = bch_ptr_sector(k);
	u32 size = bch_ptr_size(k);

	if (level >= BCH_BTREE_MAX_LEVEL)
		return bad(why, -EINVAL, "btree level out of range");
	if (!size)
		return bad(why, -EUCLEAN, "key has zero size");
	if (level) {
		if (!bch_ptr_is_ptr(k))
			return bad(why, -EUCLEAN, "node pointer without PTR");
		if (bch_ptr_is_dirty(k))
			return bad(why, -EUCLEAN, "node pointer marked dirty");
		if (size != g->bucket_sectors)
			return bad(why, -EUCLEAN, "node pointer size != bucket");
		if (sector % g->bucket_sectors)
			return bad(why, -EUCLEAN, "node pointer not at a bucket");
		if (!in_data_area(g, sector))
			return bad(why, -EUCLEAN, "node pointer outside data area");
		return 0;
	}
	if (bch_key_end(k) > BCH_KEY_END_MAX)
		return bad(why, -EUCLEAN, "extent ends past the key space");
	if (!bch_ptr_is_ptr(k)) {
		if (sector || bch_ptr_gen(k) || bch_ptr_is_dirty(k))
			return bad(why, -EUCLEAN, "hole with pointer fields set");
		return 0;
	}
	if (!in_data_area(g, sector))
		return bad(why, -EUCLEAN, "pointer outside btree+data area");
	if (sector % g->bucket_sectors + size > g->bucket_sectors)
		return bad(why, -EUCLEAN, "extent crosses a bucket boundary");
	return 0;
}

/* ---- uuid table --------------------------------------------------------- */

static u32 uuid_set_csum(const struct bch_geom *g,
			 const struct bch_uuid_set *u)
{
	return bch_crc32c(g->csum_seed, &u->nr, sizeof(*u) - sizeof(u->csum));
}

/**
 * bch_uuid_set_seal() - finish a uuid table slot for writing
 * @u: the table; entries must already be filled in
 * @len: bytes available at @u
 * @g: geometry of the cache device
 * @slot: 0 (A) or 1 (B), the slot it will be written to
 * @seq: its sequence number: one more than the newest valid slot
 *
 * Return: 0, or -EINVAL for bad arguments.
 */
int bch_uuid_set_seal(struct bch_uuid_set *u, size_t len,
		      const struct bch_geom *g, unsigned int slot, u64 seq)
{
	if (len < sizeof(*u) || slot > 1 || !seq)
		return -EINVAL;
	u->nr = cpu_to_le32(BCH_UUID_ENTRIES);
	u->magic = cpu_to_le64(BCH_UUID_MAGIC);
	u->seq = cpu_to_le64(seq);
	u->sector = cpu_to_le64(bch_uuid_slot_sector(g, slot));
	u->slot = cpu_to_le32(slot);
	u->csum = cpu_to_le32(uuid_set_csum(g, u));
	return 0;
}

static int uuid_entry_check(const struct bch_uuid_entry *e, const char **why)
{
	u32 state = le32_to_cpu(e->state), fp_len = le32_to_cpu(e->fp_len);

	if (state >= BCH_UUID_STATE_NR)
		return bad(why, -EUCLEAN, "uuid entry has an unknown state");
	if (state == BCH_UUID_NONE) {
		if (!all_zero(e, sizeof(*e)))
			return bad(why, -EUCLEAN, "free uuid entry is not zero");
		return 0;
	}
	if (all_zero(e->uuid, BCH_UUID_LEN))
		return bad(why, -EUCLEAN, "uuid entry in use with a zero uuid");
	if (!label_ok(e->label))
		return bad(why, -EUCLEAN, "uuid entry label not terminated");
	if (e->flags || !all_zero(e->reserved, sizeof(e->reserved)))
		return bad(why, -EUCLEAN, "uuid entry reserved bits set");
	if (fp_len > BCH_FP_MAX_BYTES || fp_len % BCH_SECTOR_SIZE)
		return bad(why, -EUCLEAN, "uuid entry fingerprint length");
	if (!fp_len && e->fp_csum)
		return bad(why, -EUCLEAN, "fingerprint csum without length");
	return 0;
}

/**
 * bch_uuid_set_validate() - check a uuid table slot
 * @buf: the slot as read from the device
 * @len: bytes in @buf
 * @g: geometry of the cache device
 * @slot: 0 (A) or 1 (B), the slot @buf was read from
 * @why: on failure, a human readable reason
 *
 * Return: 0 or a negative errno (see the top of this file).
 */
int bch_uuid_set_validate(const void *buf, size_t len,
			  const struct bch_geom *g, unsigned int slot,
			  const char **why)
{
	const struct bch_uuid_set *u = buf;
	int i, j, ret;

	if (!buf || len < sizeof(*u) || slot > 1)
		return bad(why, -EINVAL, "short buffer or bad uuid slot");
	if (le64_to_cpu(u->magic) != BCH_UUID_MAGIC)
		return bad(why, -ENODATA, "bad uuid table magic");
	if (le32_to_cpu(u->csum) != uuid_set_csum(g, u))
		return bad(why, -EBADMSG, "uuid table checksum mismatch");
	if (le32_to_cpu(u->slot) != slot ||
	    le64_to_cpu(u->sector) != bch_uuid_slot_sector(g, slot))
		return bad(why, -ESTALE, "uuid table written for another slot");
	if (le32_to_cpu(u->nr) != BCH_UUID_ENTRIES)
		return bad(why, -EUCLEAN, "uuid table has a bad entry count");
	if (!le64_to_cpu(u->seq))
		return bad(why, -EUCLEAN, "uuid table seq is zero");
	if (!all_zero(u->reserved, sizeof(u->reserved)))
		return bad(why, -EUCLEAN, "uuid table reserved bytes not zero");
	for (i = 0; i < BCH_UUID_ENTRIES; i++) {
		ret = uuid_entry_check(&u->entries[i], why);
		if (ret)
			return ret;
		if (!u->entries[i].state)
			continue;
		for (j = 0; j < i; j++)
			if (!memcmp(u->entries[j].uuid, u->entries[i].uuid,
				    BCH_UUID_LEN))
				return bad(why, -EUCLEAN,
					   "uuid appears twice in the table");
	}
	return 0;
}

/* ---- prio pages --------------------------------------------------------- */

static u32 prio_page_csum(const struct bch_geom *g,
			  const struct bch_prio_page *p)
{
	return bch_crc32c(g->csum_seed, &p->page, sizeof(*p) - sizeof(p->csum));
}

/**
 * bch_prio_page_seal() - finish a prio page for writing
 * @p: the page; entries must already be filled in, unused ones zero
 * @len: bytes available at @p
 * @g: geometry of the cache device
 * @page: page index
 * @slot: 0 (A) or 1 (B), the copy it will be written to
 * @seq: one more than the seq of the newest valid copy of this page
 *
 * Return: 0, or -EINVAL for bad arguments.
 */
int bch_prio_page_seal(struct bch_prio_page *p, size_t len,
		       const struct bch_geom *g, u32 page, unsigned int slot,
		       u64 seq)
{
	if (len < sizeof(*p) || slot > 1 || page >= g->prio_pages || !seq)
		return -EINVAL;
	p->page = cpu_to_le32(page);
	p->magic = cpu_to_le64(BCH_PRIO_MAGIC);
	p->seq = cpu_to_le64(seq);
	p->sector = cpu_to_le64(bch_prio_page_sector(g, page, slot));
	p->nr = cpu_to_le32(bch_prio_page_nr(g, page));
	p->slot = cpu_to_le32(slot);
	p->csum = cpu_to_le32(prio_page_csum(g, p));
	return 0;
}

/**
 * bch_prio_page_validate() - check one copy of a prio page
 * @buf: the page as read from the device
 * @len: bytes in @buf
 * @g: geometry of the cache device
 * @page: the page index @buf was read for
 * @slot: 0 (A) or 1 (B), the copy @buf was read from
 * @why: on failure, a human readable reason
 *
 * Besides the header, checks that every entry has a known type, that the
 * buckets before the data area are typed metadata and the others are not,
 * and that unused entries are zero.
 *
 * Return: 0 or a negative errno (see the top of this file).
 */
int bch_prio_page_validate(const void *buf, size_t len,
			   const struct bch_geom *g, u32 page,
			   unsigned int slot, const char **why)
{
	const struct bch_prio_page *p = buf;
	u32 i, nr = bch_prio_page_nr(g, page);
	u64 b;

	if (!buf || len < sizeof(*p) || slot > 1 || page >= g->prio_pages)
		return bad(why, -EINVAL, "short buffer or bad prio page/slot");
	if (le64_to_cpu(p->magic) != BCH_PRIO_MAGIC)
		return bad(why, -ENODATA, "bad prio page magic");
	if (le32_to_cpu(p->csum) != prio_page_csum(g, p))
		return bad(why, -EBADMSG, "prio page checksum mismatch");
	if (le32_to_cpu(p->page) != page || le32_to_cpu(p->slot) != slot ||
	    le64_to_cpu(p->sector) != bch_prio_page_sector(g, page, slot))
		return bad(why, -ESTALE, "prio page written for another place");
	if (le32_to_cpu(p->nr) != nr)
		return bad(why, -EUCLEAN, "prio page has a bad entry count");
	if (!le64_to_cpu(p->seq))
		return bad(why, -EUCLEAN, "prio page seq is zero");
	if (!all_zero(p->reserved, sizeof(p->reserved)))
		return bad(why, -EUCLEAN, "prio page reserved bytes not zero");
	for (i = 0; i < nr; i++) {
		b = (u64)page * BCH_PRIOS_PER_PAGE + i;
		if (p->entries[i].type >= BCH_BUCKET_TYPE_NR)
			return bad(why, -EUCLEAN, "unknown bucket type");
		if (b < g->data_bucket &&
		    p->entries[i].type != BCH_BUCKET_META)
			return bad(why, -EUCLEAN, "metadata bucket not typed so");
		if (b >= g->data_bucket &&
		    p->entries[i].type == BCH_BUCKET_META)
			return bad(why, -EUCLEAN, "data bucket typed metadata");
	}
	if (!all_zero(&p->entries[nr],
		      (BCH_PRIOS_PER_PAGE - nr) * sizeof(p->entries[0])))
		return bad(why, -EUCLEAN, "unused prio entries not zero");
	return 0;
}

/* ---- journal ------------------------------------------------------------ */

/* Bytes covered by the checksum of a jset/bset with @nr keys. */
static u64 keys_end(size_t hdr, u32 nr)
{
	return hdr + (u64)nr * sizeof(struct bch_key);
}

/**
 * bch_jset_seal() - finish a journal entry for writing
 * @j: the entry; header fields and keys must already be filled in
 * @len: bytes available at @j
 * @g: geometry of the cache device
 * @sector: where the entry will be written
 *
 * Sets magic, sector and checksum.  The caller pads the entry with zeroes up
 * to bch_jset_bytes().
 *
 * Return: 0, or -EINVAL if the keys do not fit in @len.
 */
int bch_jset_seal(struct bch_jset *j, size_t len, const struct bch_geom *g,
		  u64 sector)
{
	u64 end;

	if (len < sizeof(*j))
		return -EINVAL;
	end = keys_end(sizeof(*j), le32_to_cpu(j->nr_keys));
	if (end > len)
		return -EINVAL;
	j->magic = cpu_to_le64(BCH_JSET_MAGIC);
	j->sector = cpu_to_le64(sector);
	j->csum = cpu_to_le32(bch_crc32c(g->csum_seed, &j->nr_keys,
					 end - sizeof(j->csum)));
	return 0;
}

static int jset_check_root(const struct bch_jset *j, const struct bch_geom *g,
			   const char **why)
{
	u32 level = le32_to_cpu(j->root_level);

	if (all_zero(&j->root, sizeof(j->root))) {
		if (level)
			return bad(why, -EUCLEAN, "empty root with a level");
		return 0;
	}
	if (level >= BCH_BTREE_MAX_LEVEL)
		return bad(why, -EUCLEAN, "root level out of range");
	if (bch_key_raw(&j->root))
		return bad(why, -EUCLEAN, "root key is not 0");
	return bch_key_validate(&j->root, g, 1, why);
}

/**
 * bch_jset_validate() - check one journal entry
 * @buf: the entry as read from the device
 * @len: bytes from the start of the entry to the end of its bucket (or of
 *	 @buf, if shorter)
 * @g: geometry of the cache device
 * @sector: the sector @buf was read from; inside the journal area
 * @why: on failure, a human readable reason
 *
 * An entry that fails ends the journal bucket it was read from.
 *
 * Return: 0 or a negative errno (see the top of this file).
 */
int bch_jset_validate(const void *buf, size_t len, const struct bch_geom *g,
		      u64 sector, const char **why)
{
	const struct bch_jset *j = buf;
	u64 jstart = bch_bucket_to_sector(g, g->journal_bucket);
	u64 bytes, in_bucket;
	u32 i, nr;
	int ret;

	if (!buf || len < sizeof(*j))
		return bad(why, -EINVAL, "buffer is shorter than a jset");
	if (sector < jstart ||
	    sector - jstart >= (u64)g->journal_buckets * g->bucket_sectors ||
	    sector % g->block_sectors)
		return bad(why, -EINVAL, "sector is not a journal block");
	if (le64_to_cpu(j->magic) != BCH_JSET_MAGIC)
		return bad(why, -ENODATA, "bad journal entry magic");
	nr = le32_to_cpu(j->nr_keys);
	bytes = bch_jset_bytes(g, nr);
	in_bucket = (sector % g->bucket_sectors) << BCH_SECTOR_SHIFT;
	if (bytes > len ||
	    bytes > ((u64)g->bucket_sectors << BCH_SECTOR_SHIFT) - in_bucket)
		return bad(why, -EUCLEAN, "journal entry overruns its bucket");
	if (le32_to_cpu(j->csum) !=
	    bch_crc32c(g->csum_seed, &j->nr_keys,
		       keys_end(sizeof(*j), nr) - sizeof(j->csum)))
		return bad(why, -EBADMSG, "journal entry checksum mismatch");
	if (le64_to_cpu(j->sector) != sector)
		return bad(why, -ESTALE, "journal entry written elsewhere");
	if (!le64_to_cpu(j->seq) || !le64_to_cpu(j->last_seq) ||
	    le64_to_cpu(j->last_seq) > le64_to_cpu(j->seq))
		return bad(why, -EUCLEAN, "journal seq/last_seq invalid");
	if (le64_to_cpu(j->flags) & ~BCH_JSET_FLAGS_KNOWN)
		return bad(why, -EUCLEAN, "unknown journal entry flags");
	if (j->reserved0 || !all_zero(j->reserved, sizeof(j->reserved)))
		return bad(why, -EUCLEAN, "journal reserved bytes not zero");
	ret = jset_check_root(j, g, why);
	if (ret)
		return ret;
	for (i = 0; i < nr; i++) {
		ret = bch_key_validate(&j->keys[i], g, 0, why);
		if (ret)
			return ret;
	}
	return 0;
}

/* ---- btree bsets -------------------------------------------------------- */

/**
 * bch_bset_seal() - finish a bset for writing
 * @b: the bset; header fields and sorted keys must already be filled in
 * @len: bytes available at @b
 * @g: geometry of the cache device
 *
 * Sets magic and checksum.  The caller pads the bset with zeroes up to
 * bch_bset_bytes().
 *
 * Return: 0, or -EINVAL if the keys do not fit in @len.
 */
int bch_bset_seal(struct bch_bset *b, size_t len, const struct bch_geom *g)
{
	u64 end;

	if (len < sizeof(*b))
		return -EINVAL;
	end = keys_end(sizeof(*b), le32_to_cpu(b->nr_keys));
	if (end > len)
		return -EINVAL;
	b->magic = cpu_to_le64(BCH_BSET_MAGIC);
	b->csum = cpu_to_le32(bch_crc32c(g->csum_seed, &b->nr_keys,
					 end - sizeof(b->csum)));
	return 0;
}

static int bset_check_keys(const struct bch_bset *b, u32 nr, u32 level,
			   const struct bch_geom *g, const char **why)
{
	const struct bch_key *prev = NULL, *k;
	u32 i;
	int ret;

	for (i = 0; i < nr; prev = k, i++) {
		k = &b->keys[i];
		ret = bch_key_validate(k, g, level, why);
		if (ret)
			return ret;
		if (!prev)
			continue;
		if (bch_key_raw(k) <= bch_key_raw(prev))
			return bad(why, -EUCLEAN, "bset keys are not sorted");
		if (!level && bch_key_dev(k) == bch_key_dev(prev) &&
		    bch_key_end(prev) > bch_key_start(k))
			return bad(why, -EUCLEAN, "bset extents overlap");
	}
	return 0;
}

/**
 * bch_bset_validate() - check one bset of a btree node
 * @buf: the bset as read from the device
 * @len: bytes from the start of the bset to the end of the node (or of
 *	 @buf, if shorter)
 * @g: geometry of the cache device
 * @e: what the reader expects: the node's sector, node_seq (0 for the first
 *     bset: any non-zero value), offset in the node, index and level (< 0
 *     for the first bset: any level)
 * @why: on failure, a human readable reason
 *
 * The first bset of a node that fails, in particular with -ESTALE (another
 * incarnation of the node) or -EBADMSG (torn or never written), ends the
 * node.
 *
 * Return: 0 or a negative errno (see the top of this file).
 */
int bch_bset_validate(const void *buf, size_t len, const struct bch_geom *g,
		      const struct bch_bset_expect *e, const char **why)
{
	const struct bch_bset *b = buf;
	u64 bucket_bytes = (u64)g->bucket_sectors << BCH_SECTOR_SHIFT;
	u64 bytes, node_seq;
	u32 nr, level;

	if (!buf || len < sizeof(*b))
		return bad(why, -EINVAL, "buffer is shorter than a bset");
	if (e->node_sector % g->bucket_sectors ||
	    !in_data_area(g, e->node_sector) ||
	    e->offset % g->block_sectors || e->offset >= g->bucket_sectors ||
	    e->level >= BCH_BTREE_MAX_LEVEL)
		return bad(why, -EINVAL, "bad expected node position");
	if (le64_to_cpu(b->magic) != BCH_BSET_MAGIC)
		return bad(why, -ENODATA, "bad bset magic");
	nr = le32_to_cpu(b->nr_keys);
	bytes = bch_bset_bytes(g, nr);
	if (bytes > len ||
	    bytes > bucket_bytes - ((u64)e->offset << BCH_SECTOR_SHIFT))
		return bad(why, -EUCLEAN, "bset has more keys than fit in node");
	if (le32_to_cpu(b->csum) !=
	    bch_crc32c(g->csum_seed, &b->nr_keys,
		       keys_end(sizeof(*b), nr) - sizeof(b->csum)))
		return bad(why, -EBADMSG, "bset checksum mismatch");
	node_seq = le64_to_cpu(b->node_seq);
	if (!node_seq)
		return bad(why, -EUCLEAN, "bset node_seq is zero");
	if (e->node_seq && node_seq != e->node_seq)
		return bad(why, -ESTALE, "bset of another node incarnation");
	if (le64_to_cpu(b->sector) != e->node_sector)
		return bad(why, -ESTALE, "bset written to another node");
	if (le32_to_cpu(b->offset) != e->offset ||
	    le32_to_cpu(b->idx) != e->idx)
		return bad(why, -ESTALE, "bset at an unexpected position");
	level = le32_to_cpu(b->level);
	if (level >= BCH_BTREE_MAX_LEVEL)
		return bad(why, -EUCLEAN, "bset level out of range");
	if (e->level >= 0 && level != (u32)e->level)
		return bad(why, -EUCLEAN, "bset level differs from the node");
	if (!all_zero(b->reserved, sizeof(b->reserved)))
		return bad(why, -EUCLEAN, "bset reserved bytes not zero");
	return bset_check_keys(b, nr, level, g, why);
}
