// SPDX-License-Identifier: GPL-2.0
/*
 * probe-bcache: tell udev about bcache cache devices.
 *
 * With -o udev, prints ID_FS_TYPE=bcache_ssd and the uuid/label variables
 * for a device with a valid superblock of ours, and nothing for anything
 * else.  It never prints ID_FS_TYPE=bcache: that value makes bcache-tools'
 * udev rule hand the device to the unrelated in-tree bcache driver.
 *
 * A device on which libblkid also finds another signature (say, it was
 * later formatted with a filesystem that left our superblock in place) is
 * not claimed: the other format is the newer one.
 */
#include <errno.h>
#include <getopt.h>
#include <string.h>
#include <unistd.h>
#include <blkid.h>

#include "util.h"

#define FS_TYPE	"bcache_ssd"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: probe-bcache [-o udev] DEVICE\n"
		"Identify a bcache cache device.  With -o udev, print udev\n"
		"environment variables; print nothing for other devices.\n");
}

static void print_udev(const struct bch_sb *sb, const char *uuid)
{
	char label[BCH_LABEL_LEN + 1], buf[4 * BCH_LABEL_LEN + 1];

	memcpy(label, sb->label, BCH_LABEL_LEN);
	label[BCH_LABEL_LEN] = '\0';
	printf("ID_FS_TYPE=%s\n", FS_TYPE);
	printf("ID_FS_USAGE=other\n");
	printf("ID_FS_VERSION=%u\n", le32_to_cpu(sb->version));
	printf("ID_FS_UUID=%s\n", uuid);
	if (!blkid_encode_string(uuid, buf, sizeof(buf)))
		printf("ID_FS_UUID_ENC=%s\n", buf);
	if (!label[0])
		return;
	if (!blkid_safe_string(label, buf, sizeof(buf)))
		printf("ID_FS_LABEL=%s\n", buf);
	if (!blkid_encode_string(label, buf, sizeof(buf)))
		printf("ID_FS_LABEL_ENC=%s\n", buf);
}

int main(int argc, char **argv)
{
	const char *dev, *why = "";
	char uuid[UUID_STR_LEN], other[64];
	struct dev_info d;
	struct bch_sb sb;
	bool udev = false;
	int c, ret;

	prog = "probe-bcache";
	while ((c = getopt(argc, argv, "o:h")) != -1) {
		switch (c) {
		case 'o':
			if (strcmp(optarg, "udev")) {
				errmsg(NULL, "unknown output format '%s'",
				       optarg);
				return 2;
			}
			udev = true;
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
	if (!ret)
		ret = bch_sb_validate(&sb, sizeof(sb),
				      d.bytes >> BCH_SECTOR_SHIFT, NULL, &why);
	if (!ret && sig_find(d.fd, other, sizeof(other)) > 0) {
		if (!udev)
			errmsg(dev, "ignoring bcache superblock: device also has a %s signature",
			       other);
		ret = -EEXIST;
	}
	close(d.fd);
	if (ret)
		return 0;
	uuid_to_str(sb.set_uuid, uuid);
	if (udev)
		print_udev(&sb, uuid);
	else
		printf("%s: UUID=\"%s\" LABEL=\"%.*s\" TYPE=\"%s\"\n", dev,
		       uuid, BCH_LABEL_LEN, (const char *)sb.label, FS_TYPE);
	return 0;
}
