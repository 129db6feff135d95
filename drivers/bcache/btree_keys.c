// SPDX-License-Identifier: GPL-2.0
/*
 * bcache engine: operations on sorted key arrays.
 *
 * A leaf keeps its live extents as one sorted array of non-overlapping
 * keys; an interior node keeps its child pointers as a sorted array of
 * distinct keys. Search is a binary search; an insert resolves overlaps
 * and moves at most the node's key cap (BCH_NODE_KEYS_MAX) keys. Merging a
 * whole bset (node read) is one linear pass. No locking and no allocation
 * here: callers own the arrays.
 */
#include "bcache.h"
#include "btree.h"

static u64 kraw(const struct bch_key *k)
{
	return bch_key_raw(k);
}

/* @k restricted to the raw interval [start, end) (which it covers). */
static struct bch_key key_cut(const struct bch_key *k, u64 start, u64 end)
{
	u64 delta = start - kraw(k);
	u64 sector = bch_ptr_is_ptr(k) ? bch_ptr_sector(k) + delta : 0;

	return bch_key_make((u8)(start >> BCH_KEY_DEV_SHIFT),
			    start & BCH_KEY_START_MASK, (u32)(end - start),
			    sector, bch_ptr_gen(k), bch_ptr_is_ptr(k),
			    bch_ptr_is_dirty(k));
}

/**
 * bch_keys_search() - first extent that ends after @pos
 * @a: sorted, non-overlapping extents
 * @pos: raw position
 *
 * Return: its index, or @a->nr if there is none.
 */
u32 bch_keys_search(const struct bch_keys *a, u64 pos)
{
	u32 l = 0, r = a->nr;

	while (l < r) {
		u32 m = l + (r - l) / 2;

		if (bch_kend(&a->k[m]) > pos)
			r = m;
		else
			l = m + 1;
	}
	return l;
}

/**
 * bch_keys_child() - the child pointer whose range holds @pos
 * @a: sorted child pointers (each the lower bound of its child's range)
 * @pos: raw position
 *
 * Return: the index of the last key <= @pos, or @a->nr if @pos lies before
 * the first key.
 */
u32 bch_keys_child(const struct bch_keys *a, u64 pos)
{
	u32 l = 0, r = a->nr;

	while (l < r) {
		u32 m = l + (r - l) / 2;

		if (kraw(&a->k[m]) <= pos)
			l = m + 1;
		else
			r = m;
	}
	return l ? l - 1 : a->nr;
}

/**
 * bch_keys_overlaps() - count the extents overlapping [start, end)
 * @a: sorted, non-overlapping extents
 * @start: raw start
 * @end: raw end (exclusive)
 *
 * Return: the number of extents of @a that overlap the interval.
 */
u32 bch_keys_overlaps(const struct bch_keys *a, u64 start, u64 end)
{
	u32 i = bch_keys_search(a, start), n = 0;

	for (; i < a->nr && kraw(&a->k[i]) < end; i++)
		n++;
	return n;
}

/**
 * bch_keys_insert_extent() - insert an extent, newer than every key in @a
 * @a: sorted, non-overlapping extents
 * @k: the extent or hole
 * @keep_hole: store holes (a bset being built) rather than only erase
 *
 * Whatever @k overlaps is trimmed, split or removed.
 *
 * Return: 0, or -ENOSPC (and @a unchanged) if the result would not fit.
 */
int bch_keys_insert_extent(struct bch_keys *a, const struct bch_key *k,
			   bool keep_hole)
{
	u64 s = kraw(k), e = bch_kend(k);
	bool ins = keep_hole || bch_ptr_is_ptr(k);
	struct bch_key front = {}, back = {};
	bool has_front = false, has_back = false;
	u32 i, j, n;

	i = bch_keys_search(a, s);
	for (j = i; j < a->nr && kraw(&a->k[j]) < e; j++)
		;
	if (i < j && kraw(&a->k[i]) < s) {
		front = key_cut(&a->k[i], kraw(&a->k[i]), s);
		has_front = true;
	}
	if (i < j && bch_kend(&a->k[j - 1]) > e) {
		back = key_cut(&a->k[j - 1], e, bch_kend(&a->k[j - 1]));
		has_back = true;
	}
	n = has_front + ins + has_back;
	if (a->nr - (j - i) + n > a->cap)
		return -ENOSPC;
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
 * bch_keys_insert_ptr() - insert or replace a child pointer
 * @a: sorted, distinct child pointers
 * @k: the pointer; replaces a key with the same raw value
 *
 * Return: 0, or -ENOSPC if @a is full.
 */
int bch_keys_insert_ptr(struct bch_keys *a, const struct bch_key *k)
{
	u32 i = bch_keys_child(a, kraw(k));

	if (i < a->nr && kraw(&a->k[i]) == kraw(k)) {
		a->k[i] = *k;
		return 0;
	}
	i = i < a->nr ? i + 1 : 0;
	if (a->nr >= a->cap)
		return -ENOSPC;
	memmove(&a->k[i + 1], &a->k[i], (a->nr - i) * sizeof(*a->k));
	a->k[i] = *k;
	a->nr++;
	return 0;
}
