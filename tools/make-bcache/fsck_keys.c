// SPDX-License-Identifier: GPL-2.0
/*
 * bcache-fsck: sorted key arrays with the semantics of the kernel's
 * drivers/bcache/btree_keys.c, so that merging a node's log of bsets and
 * replaying the journal give exactly the extents the kernel would hold.
 *
 * Keys are ordered by their raw 64-bit value (device id << 56 | start); a
 * leaf holds non-overlapping extents, an interior node distinct child
 * pointers. An insert into a leaf trims, splits or removes what the new key
 * overlaps; a hole only erases. An array with a @max refuses an insert that
 * would take it past @max keys, at the same moment the kernel's fixed-size
 * array would.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fsck.h"

/**
 * fkey_end() - the raw end of a key, saturated at U64_MAX
 * @k: the key
 *
 * Return: raw key + size.
 */
u64 fkey_end(const struct bch_key *k)
{
	u64 s = bch_key_raw(k), e = s + bch_ptr_size(k);

	return e < s ? ~0ULL : e;
}

/**
 * fkey_cut() - a key restricted to the raw interval [start, end)
 * @k: the key, which covers the interval
 * @start: raw start
 * @end: raw end
 *
 * Return: the piece, its pointer moved by the same amount as its start.
 */
struct bch_key fkey_cut(const struct bch_key *k, u64 start, u64 end)
{
	u64 delta = start - bch_key_raw(k);
	u64 sector = bch_ptr_is_ptr(k) ? bch_ptr_sector(k) + delta : 0;

	return bch_key_make((u8)(start >> BCH_KEY_DEV_SHIFT),
			    start & BCH_KEY_START_MASK, (u32)(end - start),
			    sector, bch_ptr_gen(k), bch_ptr_is_ptr(k),
			    bch_ptr_is_dirty(k));
}

/**
 * fkeys_search() - first extent that ends after @pos
 * @a: sorted, non-overlapping extents
 * @pos: raw position
 *
 * Return: its index, or @a->nr.
 */
u32 fkeys_search(const struct fsck_keys *a, u64 pos)
{
	u32 l = 0, r = a->nr;

	while (l < r) {
		u32 m = l + (r - l) / 2;

		if (fkey_end(&a->k[m]) > pos)
			r = m;
		else
			l = m + 1;
	}
	return l;
}

/**
 * fkeys_child() - the child pointer whose range holds @pos
 * @a: sorted child pointers
 * @pos: raw position
 *
 * Return: the index of the last key <= @pos, or @a->nr if there is none.
 */
u32 fkeys_child(const struct fsck_keys *a, u64 pos)
{
	u32 l = 0, r = a->nr;

	while (l < r) {
		u32 m = l + (r - l) / 2;

		if (bch_key_raw(&a->k[m]) <= pos)
			l = m + 1;
		else
			r = m;
	}
	return l ? l - 1 : a->nr;
}

/* Room for @n more keys: -ENOSPC past @a->max, -ENOMEM. */
static int fkeys_room(struct fsck_keys *a, u32 nr_after)
{
	struct bch_key *k;
	u32 cap;

	if (a->max && nr_after > a->max)
		return -ENOSPC;
	if (nr_after <= a->cap)
		return 0;
	cap = a->cap ? a->cap : 16;
	while (cap < nr_after)
		cap *= 2;
	k = realloc(a->k, (size_t)cap * sizeof(*k));
	if (!k)
		return -ENOMEM;
	a->k = k;
	a->cap = cap;
	return 0;
}

/**
 * fkeys_insert_extent() - insert an extent or hole, newer than @a's keys
 * @a: sorted, non-overlapping extents
 * @k: the key; a hole erases its range and is not stored
 *
 * Return: 0, -ENOSPC (past @a->max; @a unchanged) or -ENOMEM.
 */
int fkeys_insert_extent(struct fsck_keys *a, const struct bch_key *k)
{
	u64 s = bch_key_raw(k), e = fkey_end(k);
	bool ins = bch_ptr_is_ptr(k);
	struct bch_key front = {}, back = {};
	bool has_front = false, has_back = false;
	u32 i, j, n;
	int ret;

	i = fkeys_search(a, s);
	for (j = i; j < a->nr && bch_key_raw(&a->k[j]) < e; j++)
		;
	if (i < j && bch_key_raw(&a->k[i]) < s) {
		front = fkey_cut(&a->k[i], bch_key_raw(&a->k[i]), s);
		has_front = true;
	}
	if (i < j && fkey_end(&a->k[j - 1]) > e) {
		back = fkey_cut(&a->k[j - 1], e, fkey_end(&a->k[j - 1]));
		has_back = true;
	}
	n = has_front + ins + has_back;
	ret = fkeys_room(a, a->nr - (j - i) + n);
	if (ret)
		return ret;
	if (j < a->nr)
		memmove(&a->k[i + n], &a->k[j], (a->nr - j) * sizeof(*a->k));
	a->nr = a->nr - (j - i) + n;
	if (has_front)
		a->k[i++] = front;
	if (ins)
		a->k[i++] = *k;
	if (has_back)
		a->k[i] = back;
	return 0;
}

/**
 * fkeys_insert_ptr() - insert or replace a child pointer
 * @a: sorted, distinct child pointers
 * @k: the pointer; replaces a key with the same raw value
 *
 * Return: 0, -ENOSPC (past @a->max) or -ENOMEM.
 */
int fkeys_insert_ptr(struct fsck_keys *a, const struct bch_key *k)
{
	u32 i = fkeys_child(a, bch_key_raw(k));
	int ret;

	if (i < a->nr && bch_key_raw(&a->k[i]) == bch_key_raw(k)) {
		a->k[i] = *k;
		return 0;
	}
	i = i < a->nr ? i + 1 : 0;
	ret = fkeys_room(a, a->nr + 1);
	if (ret)
		return ret;
	if (i < a->nr)
		memmove(&a->k[i + 1], &a->k[i], (a->nr - i) * sizeof(*a->k));
	a->k[i] = *k;
	a->nr++;
	return 0;
}

/**
 * fkeys_free() - release an array's memory
 * @a: the array; left empty
 */
void fkeys_free(struct fsck_keys *a)
{
	free(a->k);
	a->k = NULL;
	a->nr = 0;
	a->cap = 0;
}
