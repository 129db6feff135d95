# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="libFuzzer over every parser (superblock, uuid table, prio page, bset, journal, key) for a bounded time from the checked-in corpus"
TEST_GROUPS="format"
HOST=1
TIMEOUT=900

requires()
{
	_have_program clang
	[ -e /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a ] ||
		ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 ||
		skip "libFuzzer runtime missing (apt-get install libclang-rt-14-dev)"
}

test()
{
	make -s -C "$REPO/tests/fuzz" check FUZZ_SECONDS="${FUZZ_SECONDS:-20}"
}
