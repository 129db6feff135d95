# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="persistence: after unregister + re-register, and after a module reload, cached data hits at once"
TEST_GROUPS="quick core"
TIMEOUT=400
DISKS="ssd:256M hdd:512M"

# read_all DEV: read the first 32 MiB with O_DIRECT.
read_all()
{
	dd if="$1" of=/dev/null bs=128k count=256 iflag=direct status=none
}

test()
{
	local uuid bc hits misses round

	load_module
	uuid=$(bch_new_uuid)
	bch_format "$DISK_ssd" --bucket 128k
	bch_register_cache "$DISK_ssd"
	bc=$(bch_register_dev "$uuid" "$DISK_hdd")
	fio --name=fill --filename="$bc" --rw=write --bs=128k --size=32M --direct=1 \
		--verify=crc32c --do_verify=0 --output=/dev/null
	read_all "$bc"		# first read: misses fill the cache
	read_all "$bc"

	for round in unregister reload; do
		bch_stop_dev "$bc"
		bch_unregister_cache "$DISK_ssd"
		if [ "$round" = reload ]; then
			unload_module
			load_module
		fi
		bch_register_cache "$DISK_ssd"
		bc=$(bch_register_dev "$uuid" "$DISK_hdd")
		read_all "$bc"
		hits=$(bch_stat "$bc" cache_hits)
		misses=$(bch_stat "$bc" cache_misses)
		echo "$round: hits=$hits misses=$misses"
		[ "$hits" -gt 0 ] && [ "$misses" -eq 0 ] ||
			fail "$round: cache not warm (hits=$hits misses=$misses)"
		fio --name=fill --filename="$bc" --rw=read --bs=128k --size=32M --direct=1 \
			--verify=crc32c --verify_only=1 --output=/dev/null
	done
	bch_stop_dev "$bc"
	bch_unregister_cache "$DISK_ssd"
	unload_module
}
