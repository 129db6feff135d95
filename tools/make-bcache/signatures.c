// SPDX-License-Identifier: GPL-2.0
/* Find and erase foreign signatures with libblkid. */
#include <errno.h>
#include <string.h>
#include <blkid.h>

#include "util.h"

static blkid_probe new_probe(int fd)
{
	blkid_probe pr = blkid_new_probe();

	if (!pr)
		return NULL;
	if (blkid_probe_set_device(pr, fd, 0, 0)) {
		blkid_free_probe(pr);
		return NULL;
	}
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE |
					  BLKID_SUBLKS_USAGE |
					  BLKID_SUBLKS_MAGIC |
					  BLKID_SUBLKS_BADCSUM);
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_set_partitions_flags(pr, BLKID_PARTS_MAGIC);
	return pr;
}

/* Describe what the probe found, e.g. "ext4" or "dos partition table". */
static void describe(blkid_probe pr, char *what, size_t len)
{
	const char *v = NULL;

	if (!blkid_probe_lookup_value(pr, "TYPE", &v, NULL) && v) {
		snprintf(what, len, "%s", v);
		return;
	}
	if (!blkid_probe_lookup_value(pr, "PTTYPE", &v, NULL) && v) {
		snprintf(what, len, "%s partition table", v);
		return;
	}
	snprintf(what, len, "unknown");
}

int sig_find(int fd, char *what, size_t len)
{
	blkid_probe pr = new_probe(fd);
	int ret;

	if (!pr)
		return -ENOMEM;
	ret = blkid_do_probe(pr);
	if (ret == 0)
		describe(pr, what, len);
	blkid_free_probe(pr);
	if (ret < 0)
		return -EIO;
	return ret == 0 ? 1 : 0;
}

int sig_wipe_all(int fd, const char *dev, bool quiet)
{
	char what[64], where[32];
	const char *off;
	int n = 0, pass;
	blkid_probe pr;

	/*
	 * A wipe can uncover another signature (a backup or a nested
	 * format): probe again from scratch until nothing is left.
	 */
	for (pass = 0; pass < 64; pass++) {
		int found = 0;

		pr = new_probe(fd);
		if (!pr)
			return -ENOMEM;
		while (blkid_do_probe(pr) == 0) {
			describe(pr, what, sizeof(what));
			if (blkid_probe_lookup_value(pr, "SBMAGIC_OFFSET",
						     &off, NULL) &&
			    blkid_probe_lookup_value(pr, "PTMAGIC_OFFSET",
						     &off, NULL))
				off = "?";
			snprintf(where, sizeof(where), "%s", off);
			if (blkid_do_wipe(pr, 0)) {
				errmsg(dev, "failed to erase %s signature",
				       what);
				blkid_free_probe(pr);
				return -EIO;
			}
			if (!quiet)
				printf("%s: %s: erased %s signature at offset %s\n",
				       prog, dev, what, where);
			found++;
			n++;
		}
		blkid_free_probe(pr);
		if (!found)
			return n;
	}
	errmsg(dev, "signatures keep reappearing after wiping");
	return -EIO;
}
