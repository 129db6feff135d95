# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="the module builds warning-free with W=1 and sparse (C=2) against Debian 6.1 headers"
TEST_GROUPS="quick style"
HOST=1
TIMEOUT=600

requires()
{
	_have_program sparse
}

test()
{
	"$REPO/scripts/compile-test.sh" amd64 C=2
}
