// SPDX-License-Identifier: GPL-2.0
/* Runs every unit test and prints "N passed, N failed". */
#include "unit.h"

int unit_failures;

static const struct unit_test *const suites[] = {
	sb_tests, key_tests, meta_tests, log_tests,
};

int main(void)
{
	int passed = 0, failed = 0;
	size_t s;
	const struct unit_test *t;

	for (s = 0; s < ARRAY_SIZE(suites); s++) {
		for (t = suites[s]; t->name; t++) {
			int before = unit_failures;

			t->fn();
			if (unit_failures == before) {
				passed++;
				printf("ok   %s\n", t->name);
			} else {
				failed++;
				printf("FAIL %s\n", t->name);
			}
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
