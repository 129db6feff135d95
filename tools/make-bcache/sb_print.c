// SPDX-License-Identifier: GPL-2.0
/*
 * Print every field of a superblock, valid or not, and the layout it
 * describes.  Nothing here trusts the superblock: all arithmetic is on u64
 * and the label is escaped.
 */
#include <ctype.h>
#include <time.h>

#include "util.h"

static void print_label(FILE *f, const u8 *label)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < BCH_LABEL_LEN && label[i]; i++) {
		if (isprint(label[i]) && label[i] != '"' && label[i] != '\\')
			fputc(label[i], f);
		else
			fprintf(f, "\\x%02x", label[i]);
	}
	fputc('"', f);
}

static size_t nonzero(const u8 *p, size_t len)
{
	size_t n = 0;

	while (len--)
		n += !!*p++;
	return n;
}

static void print_area(FILE *f, const char *name, u64 start, u64 n,
		       u64 bucket)
{
	fprintf(f, "%-18s buckets %llu..%llu (%llu), sectors %llu..%llu\n",
		name, start, n ? start + n - 1 : start, n, start * bucket,
		(start + n) * bucket - (n ? 1 : 0));
}

void sb_print(FILE *f, const struct bch_sb *sb)
{
	u64 bucket = le32_to_cpu(sb->bucket_size);
	u64 block = le32_to_cpu(sb->block_size);
	u64 nb = le64_to_cpu(sb->nbuckets);
	u64 dev = le64_to_cpu(sb->device_sectors);
	u64 data = le64_to_cpu(sb->data_bucket);
	time_t created = le64_to_cpu(sb->created);
	char uuid[UUID_STR_LEN], s1[32], s2[32], when[64];
	struct tm tm;
	u32 csum;

	csum = bch_crc32c(BCH_CSUM_SEED_INIT, &sb->version,
			  BCH_SB_BYTES - sizeof(sb->csum));
	uuid_to_str(sb->set_uuid, uuid);
	if (!gmtime_r(&created, &tm) ||
	    !strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(when, sizeof(when), "?");

	fprintf(f, "%-18s %s\n", "magic:",
		memcmp(sb->magic, bch_sb_magic, BCH_SB_MAGIC_LEN) ?
		"bad" : "ok");
	fprintf(f, "%-18s 0x%08x (%s)\n", "csum:", le32_to_cpu(sb->csum),
		csum == le32_to_cpu(sb->csum) ? "ok" : "bad");
	fprintf(f, "%-18s %u\n", "version:", le32_to_cpu(sb->version));
	fprintf(f, "%-18s %u\n", "header_size:", le32_to_cpu(sb->header_size));
	fprintf(f, "%-18s 0x%08x\n", "csum_seed:", le32_to_cpu(sb->csum_seed));
	fprintf(f, "%-18s %s\n", "uuid:", uuid);
	fprintf(f, "%-18s ", "label:");
	print_label(f, sb->label);
	fputc('\n', f);
	fprintf(f, "%-18s 0x%llx\n", "feature_compat:",
		le64_to_cpu(sb->feature_compat));
	fprintf(f, "%-18s 0x%llx\n", "feature_ro_compat:",
		le64_to_cpu(sb->feature_ro_compat));
	fprintf(f, "%-18s 0x%llx\n", "feature_incompat:",
		le64_to_cpu(sb->feature_incompat));
	fprintf(f, "%-18s %llu\n", "seq:", le64_to_cpu(sb->seq));
	fprintf(f, "%-18s %llu (%s)\n", "created:", le64_to_cpu(sb->created),
		when);
	fprintf(f, "%-18s 0x%llx%s\n", "flags:", le64_to_cpu(sb->flags),
		le64_to_cpu(sb->flags) & BCH_SB_DISCARD ? " (discard)" : "");
	fprintf(f, "%-18s %llu sectors (%s)\n", "block_size:", block,
		fmt_size(block << BCH_SECTOR_SHIFT, s1, sizeof(s1)));
	fprintf(f, "%-18s %llu sectors (%s)\n", "bucket_size:", bucket,
		fmt_size(bucket << BCH_SECTOR_SHIFT, s1, sizeof(s1)));
	fprintf(f, "%-18s %llu (%s)\n", "device_sectors:", dev,
		fmt_size(dev << BCH_SECTOR_SHIFT, s1, sizeof(s1)));
	fprintf(f, "%-18s %llu\n", "nbuckets:", nb);
	fprintf(f, "%-18s %llu\n", "uuid_bucket:",
		le64_to_cpu(sb->uuid_bucket));
	fprintf(f, "%-18s %u\n", "uuid_buckets:",
		le32_to_cpu(sb->uuid_buckets));
	fprintf(f, "%-18s %llu\n", "prio_bucket:",
		le64_to_cpu(sb->prio_bucket));
	fprintf(f, "%-18s %u\n", "prio_buckets:",
		le32_to_cpu(sb->prio_buckets));
	fprintf(f, "%-18s %u\n", "prio_pages:", le32_to_cpu(sb->prio_pages));
	fprintf(f, "%-18s %llu\n", "journal_bucket:",
		le64_to_cpu(sb->journal_bucket));
	fprintf(f, "%-18s %u\n", "journal_buckets:",
		le32_to_cpu(sb->journal_buckets));
	fprintf(f, "%-18s %llu\n", "data_bucket:", data);
	fprintf(f, "%-18s %zu of %zu bytes non-zero\n", "reserved:",
		nonzero(sb->reserved, sizeof(sb->reserved)),
		sizeof(sb->reserved));

	fprintf(f, "layout:\n");
	fprintf(f, "%-18s sectors 0..%llu, superblock at byte %u\n", "  head",
		le64_to_cpu(sb->uuid_bucket) * bucket - 1, BCH_SB_OFFSET);
	print_area(f, "  uuid area", le64_to_cpu(sb->uuid_bucket),
		   le32_to_cpu(sb->uuid_buckets), bucket);
	print_area(f, "  prio area", le64_to_cpu(sb->prio_bucket),
		   le32_to_cpu(sb->prio_buckets), bucket);
	print_area(f, "  journal", le64_to_cpu(sb->journal_bucket),
		   le32_to_cpu(sb->journal_buckets), bucket);
	print_area(f, "  btree+data", data, nb - data, bucket);
	fprintf(f, "%-18s sectors %llu..%llu (%s)\n", "  tail guard",
		nb * bucket, dev - 1,
		fmt_size((dev - nb * bucket) << BCH_SECTOR_SHIFT, s2,
			 sizeof(s2)));
}
