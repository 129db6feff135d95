// SPDX-License-Identifier: GPL-2.0
/*
 * bcache-super-show: print and validate the superblock of a cache device.
 * Exit status 0 only for a valid superblock.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: bcache-super-show [-f|--force] DEVICE\n"
		"Print and validate the superblock of a bcache cache device.\n"
		"\n"
		"  -f, --force   print the fields even if the superblock is invalid\n"
		"  -h, --help    show this help\n");
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dev, *why = "";
	struct dev_info d;
	struct bch_geom g;
	struct bch_sb sb;
	bool force = false;
	int c, ret;

	prog = "bcache-super-show";
	while ((c = getopt_long(argc, argv, "fh", lopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			force = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	dev = argv[optind];
	if (dev_open(dev, false, &d))
		return 1;
	ret = read_sb(&d, &sb);
	if (ret == -ENOSPC) {
		errmsg(dev, "too small to hold a superblock");
		goto out;
	}
	if (ret) {
		errmsg(dev, "cannot read the superblock: %s", strerror(-ret));
		goto out;
	}
	ret = bch_sb_validate(&sb, sizeof(sb), d.bytes >> BCH_SECTOR_SHIFT,
			      &g, &why);
	if (ret && !force) {
		errmsg(dev, "invalid superblock: %s", why);
		goto out;
	}
	printf("device:            %s\n", dev);
	sb_print(stdout, &sb);
	if (ret) {
		printf("superblock:        INVALID: %s\n", why);
		errmsg(dev, "invalid superblock: %s", why);
		goto out;
	}
	if (g.ro_compat_unknown)
		printf("superblock:        valid, read-only (unknown ro_compat features 0x%llx)\n",
		       g.ro_compat_unknown);
	else
		printf("superblock:        valid\n");
	if (meta_check(d.fd, &g, stdout)) {
		errmsg(dev, "superblock valid, but metadata it points at is not");
		ret = -EUCLEAN;
	}
out:
	close(d.fd);
	return ret ? 1 : 0;
}
