# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="unit tests of the shared on-disk format code under ASan and UBSan"
TEST_GROUPS="quick format"
HOST=1
TIMEOUT=600

requires()
{
	_have_program clang
}

test()
{
	make -s -C "$REPO/tests/unit" check
}
