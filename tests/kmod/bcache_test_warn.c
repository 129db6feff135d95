// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module: emits one kernel WARNING on load, so the harness can
 * prove it fails a test whose kernel log shows a WARNING. Never installed.
 */

#include <linux/bug.h>
#include <linux/module.h>

static int __init bcache_test_warn_init(void)
{
	WARN(1, "bcache_test_warn: deliberate warning for the harness self-test\n");
	return -EAGAIN;
}
module_init(bcache_test_warn_init);

MODULE_DESCRIPTION("bcache test harness: deliberate WARNING");
MODULE_LICENSE("GPL");
