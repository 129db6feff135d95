// SPDX-License-Identifier: GPL-2.0
/*
 * bcache-fsck: the uuid table, the prio pages and the journal.
 *
 * Each is read the way the kernel reads it at registration: the uuid table
 * and every prio page from the valid A/B copy with the higher seq
 * (cache.c read_uuids(), alloc.c bch_prio_read()); the journal by scanning
 * every journal bucket from its start up to the first invalid entry or the
 * first entry whose seq does not increase (journal_replay.c scan_bucket()).
 *
 * What the kernel refuses (no valid copy, a missing entry in the replay
 * range, a uuid table older than the journal says) is an error. What it
 * tolerates because a crash can cause it is not, or only a warning when it
 * can also mean damage: an invalid copy next to a valid one (a torn write of
 * the copy being replaced), or a damaged journal entry that is not where the
 * next entry would have been written.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fsck.h"

static const char *const slot_name = "AB";

/* ---- uuid table ---------------------------------------------------------- */

void fsck_uuids(struct fsck *f)
{
	size_t bytes = (size_t)f->g.uuid_slot_sectors << BCH_SECTOR_SHIFT;
	struct bch_uuid_set *u[2] = { NULL, NULL };
	const char *why[2] = { "read error", "read error" };
	bool ok[2] = { false, false }, magic[2] = { false, false };
	u64 seq[2] = { 0, 0 };
	int slot, cur, i, used = 0;
	char uuid[UUID_STR_LEN];

	for (slot = 0; slot < 2; slot++) {
		u[slot] = fsck_alloc(f, 1, bytes);
		if (!u[slot])
			goto out;
		if (fsck_read(f, u[slot], bytes,
			      bch_uuid_slot_sector(&f->g, slot), "uuid table"))
			continue;
		ok[slot] = !bch_uuid_set_validate(u[slot], bytes, &f->g, slot,
						  &why[slot]);
		magic[slot] = le64_to_cpu(u[slot]->magic) == BCH_UUID_MAGIC;
		seq[slot] = le64_to_cpu(u[slot]->seq);
	}
	cur = bch_ab_pick_read(ok[0], seq[0], ok[1], seq[1]);
	for (slot = 0; slot < 2; slot++)
		fsck_layout(f, "uuid", &f->lay_uuid,
			    bch_uuid_slot_sector(&f->g, slot),
			    sizeof(struct bch_uuid_set),
			    "slot=%c seq=%llu valid=%d current=%d",
			    slot_name[slot], ok[slot] ? seq[slot] : 0,
			    ok[slot], cur == slot);
	if (cur < 0) {
		fsck_error(f, "uuid table: no valid copy (A: %s, B: %s)%s",
			   why[0], why[1], FSCK_REFUSES);
		goto out;
	}
	if (!ok[!cur] && magic[!cur])
		fsck_warning(f, "uuid table slot %c at sector %llu: %s (torn write or damage)",
			     slot_name[!cur], bch_uuid_slot_sector(&f->g, !cur),
			     why[!cur]);
	f->uuids = u[cur];
	u[cur] = NULL;
	f->uuid_seq = seq[cur];
	for (i = 0; i < BCH_UUID_ENTRIES; i++) {
		const struct bch_uuid_entry *e = &f->uuids->entries[i];
		static const char *const states[] = { "free", "attached",
						      "clean" };

		if (!e->state)
			continue;
		used++;
		uuid_to_str(e->uuid, uuid);
		fsck_info(f, "uuid table: device %d: %s, %s, %llu sectors%s%s",
			  i, uuid, states[le32_to_cpu(e->state)],
			  le64_to_cpu(e->sectors), e->label[0] ? ", label " : "",
			  (const char *)e->label);
	}
	fsck_info(f, "uuid table: slot %c, seq %llu, %d backing devices",
		  slot_name[cur], f->uuid_seq, used);
out:
	free(u[0]);
	free(u[1]);
}

/* ---- prio pages ---------------------------------------------------------- */

static void prio_page(struct fsck *f, u32 page, struct bch_prio_page *p)
{
	const char *why[2] = { "read error", "read error" };
	bool ok[2] = { false, false }, magic[2] = { false, false };
	u64 seq[2] = { 0, 0 }, sector, b;
	int slot, cur;
	u32 i, nr;

	for (slot = 0; slot < 2; slot++) {
		sector = bch_prio_page_sector(&f->g, page, slot);
		if (fsck_read(f, &p[slot], sizeof(p[slot]), sector,
			      "prio page"))
			continue;
		ok[slot] = !bch_prio_page_validate(&p[slot], sizeof(p[slot]),
						   &f->g, page, slot,
						   &why[slot]);
		magic[slot] = le64_to_cpu(p[slot].magic) == BCH_PRIO_MAGIC;
		seq[slot] = le64_to_cpu(p[slot].seq);
	}
	cur = bch_ab_pick_read(ok[0], seq[0], ok[1], seq[1]);
	for (slot = 0; slot < 2; slot++)
		fsck_layout(f, "prio", &f->lay_prio,
			    bch_prio_page_sector(&f->g, page, slot),
			    sizeof(struct bch_prio_page),
			    "page=%u slot=%c seq=%llu valid=%d current=%d",
			    page, slot_name[slot], ok[slot] ? seq[slot] : 0,
			    ok[slot], cur == slot);
	if (cur < 0) {
		fsck_error(f, "prio page %u: no valid copy (A: %s, B: %s)%s",
			   page, why[0], why[1], FSCK_REFUSES);
		return;
	}
	if (!ok[!cur] && magic[!cur])
		fsck_warning(f, "prio page %u copy %c at sector %llu: %s (torn write or damage)",
			     page, slot_name[!cur],
			     bch_prio_page_sector(&f->g, page, !cur), why[!cur]);
	nr = bch_prio_page_nr(&f->g, page);
	for (i = 0; i < nr; i++) {
		b = (u64)page * BCH_PRIOS_PER_PAGE + i;
		f->prio[b] = p[cur].entries[i];
		f->prio_known[b] = 1;
	}
}

void fsck_prios(struct fsck *f)
{
	static const char *const types[] = { "free", "metadata", "btree",
					     "data" };
	u64 count[BCH_BUCKET_TYPE_NR] = { 0 }, b, unknown = 0;
	struct bch_prio_page *p;
	u32 page;
	int t;

	f->prio = fsck_alloc(f, f->g.nbuckets, sizeof(*f->prio));
	f->prio_known = fsck_alloc(f, f->g.nbuckets, 1);
	p = fsck_alloc(f, 2, sizeof(*p));
	if (!f->prio || !f->prio_known || !p)
		goto out;
	for (page = 0; page < f->g.prio_pages; page++)
		prio_page(f, page, p);
	for (b = 0; b < f->g.nbuckets; b++) {
		if (f->prio_known[b])
			count[f->prio[b].type]++;
		else
			unknown++;
	}
	for (t = 0; t < BCH_BUCKET_TYPE_NR; t++)
		fsck_info(f, "prio pages: %llu buckets %s", count[t], types[t]);
	if (unknown)
		fsck_info(f, "prio pages: %llu buckets unknown", unknown);
out:
	free(p);
}

/* ---- journal ------------------------------------------------------------- */

static int jent_add(struct fsck *f, const struct bch_jset *j, u32 bucket,
		    u64 sector, u32 bytes)
{
	struct fsck_jent *e;
	u32 nr = le32_to_cpu(j->nr_keys);

	if (f->njents == f->jcap) {
		u32 cap = f->jcap ? f->jcap * 2 : 64;

		e = realloc(f->jents, (size_t)cap * sizeof(*e));
		if (!e) {
			errmsg(f->path, "out of memory");
			f->io_error = true;
			return -ENOMEM;
		}
		f->jents = e;
		f->jcap = cap;
	}
	e = &f->jents[f->njents];
	memset(e, 0, sizeof(*e));
	if (nr) {
		e->keys = fsck_alloc(f, nr, sizeof(*e->keys));
		if (!e->keys)
			return -ENOMEM;
		memcpy(e->keys, j->keys, (size_t)nr * sizeof(*e->keys));
	}
	f->njents++;
	e->seq = le64_to_cpu(j->seq);
	e->last_seq = le64_to_cpu(j->last_seq);
	e->sector = sector;
	e->uuid_seq = le64_to_cpu(j->uuid_seq);
	e->flags = le64_to_cpu(j->flags);
	e->root = j->root;
	e->root_level = le32_to_cpu(j->root_level);
	e->bucket = bucket;
	e->bytes = bytes;
	e->nr_keys = nr;
	return 0;
}

/* After the log of a bucket ended at @off: a valid entry further on? */
static void orphan_scan(struct fsck *f, u32 idx, u32 off, u64 prev,
			struct fsck_jend *end)
{
	u64 start = bch_journal_bucket_sector(&f->g, idx);
	u32 bs = f->g.bucket_sectors, o;
	const struct bch_jset *j;

	for (o = off + f->g.block_sectors; o < bs; o += f->g.block_sectors) {
		j = (const struct bch_jset *)(f->buf +
					      ((size_t)o << BCH_SECTOR_SHIFT));
		if (le64_to_cpu(j->magic) != BCH_JSET_MAGIC ||
		    le64_to_cpu(j->seq) <= prev)
			continue;
		if (bch_jset_validate(j, fsck_chunk(bs, o), &f->g, start + o,
				      NULL))
			continue;
		end->orphan_off = o;
		end->orphan_seq = le64_to_cpu(j->seq);
		return;
	}
}

/* An entry written here, damaged (at most one byte of magic and sector). */
static bool jset_damaged(const struct bch_jset *j, u64 sector)
{
	__le64 want[2] = { cpu_to_le64(BCH_JSET_MAGIC), cpu_to_le64(sector) };

	return fsck_bytes_differ(&want[0], &j->magic, 8) +
	       fsck_bytes_differ(&want[1], &j->sector, 8) <= 1;
}

static void scan_bucket(struct fsck *f, u32 idx)
{
	u64 start = bch_journal_bucket_sector(&f->g, idx), prev = 0;
	u32 bs = f->g.bucket_sectors, off = 0, bytes;
	struct fsck_jend *end = &f->jend[idx];
	const char *why = "";
	const struct bch_jset *j;
	int ret;

	if (fsck_read(f, f->buf, (size_t)bs << BCH_SECTOR_SHIFT, start,
		      "journal bucket"))
		return;
	while (off < bs) {
		j = (const struct bch_jset *)(f->buf +
					      ((size_t)off << BCH_SECTOR_SHIFT));
		ret = bch_jset_validate(j, fsck_chunk(bs, off), &f->g,
					start + off, &why);
		if (ret) {
			/* A rule broken under a good checksum, or by the size:
			 * written like that, not torn.
			 */
			end->broken = ret == -EUCLEAN;
			end->seq = le64_to_cpu(j->seq);
			end->damaged = end->broken ||
				       jset_damaged(j, start + off);
			end->why = why;
			orphan_scan(f, idx, off, prev, end);
			break;
		}
		if (le64_to_cpu(j->seq) <= prev)
			break;	/* left over from an earlier trip round */
		prev = le64_to_cpu(j->seq);
		bytes = bch_jset_bytes(&f->g, le32_to_cpu(j->nr_keys));
		if (jent_add(f, j, idx, start + off, bytes))
			return;
		off += bytes >> BCH_SECTOR_SHIFT;
	}
	end->off = off;
}

static int jent_cmp(const void *a, const void *b)
{
	const struct fsck_jent *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Is sector @s of journal bucket @idx where the entry after newest goes? */
static bool after_newest(const struct fsck *f, u32 idx, u32 s)
{
	const struct fsck_jent *n = f->newest;
	u64 nstart = bch_journal_bucket_sector(&f->g, n->bucket);
	u32 nend = n->sector - nstart + (n->bytes >> BCH_SECTOR_SHIFT);

	if (idx == n->bucket && s == nend)
		return true;
	return idx == (n->bucket + 1) % f->g.journal_buckets && s == 0;
}

static const char ignored[] = "; the kernel ignores it";

/* Damaged entries and entries the scan cannot reach. */
static void journal_damage(struct fsck *f)
{
	char what[80];
	u32 i;

	for (i = 0; i < f->g.journal_buckets; i++) {
		const struct fsck_jend *e = &f->jend[i];
		u64 sector = bch_journal_bucket_sector(&f->g, i) + e->off;

		if (e->broken && (!f->newest || e->seq >= f->last_seq)) {
			fsck_error(f, "journal bucket %u: entry seq %llu at sector %llu: %s%s",
				   i, e->seq, sector, e->why, ignored);
			continue;
		}
		if (f->newest && after_newest(f, i, e->off)) {
			if (e->damaged)
				fsck_info(f, "journal bucket %u: torn entry at sector %llu after the newest entry (%s)",
					  i, sector, e->why);
			continue;
		}
		if (e->damaged)
			fsck_warning(f, "journal bucket %u: damaged entry at sector %llu: %s",
				     i, sector, e->why);
		if (!e->orphan_seq)
			continue;
		snprintf(what, sizeof(what), "valid entry seq %llu at sector %llu",
			 e->orphan_seq,
			 bch_journal_bucket_sector(&f->g, i) + e->orphan_off);
		fsck_warning(f, "journal bucket %u: %s after the log's end is ignored",
			     i, what);
	}
}

static void report_missing(struct fsck *f, u64 from, u64 to)
{
	char seqs[48];

	if (from == to)
		snprintf(seqs, sizeof(seqs), "entry seq %llu is", from);
	else
		snprintf(seqs, sizeof(seqs), "entries seq %llu..%llu are",
			 from, to);
	fsck_error(f, "journal: %s missing (needed %llu..%llu)%s", seqs,
		   f->newest->last_seq, f->newest->seq, FSCK_REFUSES);
}

/* What the kernel checks before replaying: contiguous seqs, uuid table. */
static void journal_range(struct fsck *f)
{
	const struct fsck_jent *n = f->newest;
	u64 want = n->last_seq;
	u32 i;

	for (i = 0; i < f->njents; i++) {
		const struct fsck_jent *e = &f->jents[i];

		if (e->seq < n->last_seq)
			continue;
		if (e->seq < want) {
			fsck_error(f, "journal: seq %llu twice, at sectors %llu and %llu",
				   e->seq, f->jents[i - 1].sector, e->sector);
			continue;
		}
		if (e->seq != want)
			report_missing(f, want, e->seq - 1);
		want = e->seq + 1;
	}
	if (f->uuids && f->uuid_seq < n->uuid_seq)
		fsck_error(f, "uuid table seq %llu is older than the journal's %llu%s",
			   f->uuid_seq, n->uuid_seq, FSCK_REFUSES);
}

void fsck_journal(struct fsck *f)
{
	u32 i;

	f->jend = fsck_alloc(f, f->g.journal_buckets, sizeof(*f->jend));
	if (!f->jend)
		return;
	for (i = 0; i < f->g.journal_buckets && !f->io_error; i++)
		scan_bucket(f, i);
	if (f->io_error)
		return;
	if (!f->njents) {
		fsck_error(f, "journal: no valid entry (the kernel would start an empty cache)");
		journal_damage(f);
		return;
	}
	qsort(f->jents, f->njents, sizeof(*f->jents), jent_cmp);
	f->newest = &f->jents[f->njents - 1];
	f->last_seq = f->newest->last_seq;
	for (i = 0; i < f->njents; i++)
		fsck_layout(f, "journal", &f->lay_journal, f->jents[i].sector,
			    sizeof(struct bch_jset) +
			    (u64)f->jents[i].nr_keys * sizeof(struct bch_key),
			    "bucket=%u seq=%llu keys=%u replay=%d",
			    f->jents[i].bucket, f->jents[i].seq,
			    f->jents[i].nr_keys,
			    f->jents[i].seq >= f->last_seq);
	fsck_info(f, "journal: %u valid entries, newest seq %llu at sector %llu, last_seq %llu%s",
		  f->njents, f->newest->seq, f->newest->sector, f->last_seq,
		  f->newest->flags & BCH_JSET_CLEAN ? ", clean shutdown" :
		  ", not shut down cleanly");
	journal_damage(f);
	journal_range(f);
}
