/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny unit test framework: a test is a void function; CHECK() records a
 * failure of the running test and carries on; the runner counts tests.
 */
#ifndef _BCACHE_UNIT_H
#define _BCACHE_UNIT_H

#include <stdio.h>
#include <bcache/ondisk.h>

struct unit_test {
	const char *name;
	void (*fn)(void);
};

#define UNIT_TEST(f)	{ #f, f }
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

extern int unit_failures;

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "  %s:%d: CHECK(%s) failed\n",	\
				__FILE__, __LINE__, #cond);		\
			unit_failures++;				\
		}							\
	} while (0)

#define CHECK_EQ(a, b)							\
	do {								\
		long long _a = (long long)(a), _b = (long long)(b);	\
		if (_a != _b) {						\
			fprintf(stderr, "  %s:%d: %s == %lld, want %s == %lld\n", \
				__FILE__, __LINE__, #a, _a, #b, _b);	\
			unit_failures++;				\
		}							\
	} while (0)

/* Suites, one per file. */
extern const struct unit_test sb_tests[], key_tests[], meta_tests[],
	log_tests[];

/* helpers.c */
extern const u8 test_uuid[BCH_UUID_LEN];
void test_layout(struct bch_sb *sb, struct bch_geom *g, u64 dev_sectors,
		 u32 block, u32 bucket);
void sb_fix_csum(struct bch_sb *sb);
void test_default_geom(struct bch_sb *sb, struct bch_geom *g);

#endif
