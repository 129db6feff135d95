# SPDX-License-Identifier: GPL-2.0
DESCRIPTION="the module compiles warning-free against the -rt-amd64 and -cloud-amd64 6.1 headers"
TEST_GROUPS="style"
HOST=1
TIMEOUT=900

requires()
{
	ls -d /usr/src/linux-headers-6.1.*-rt-amd64 >/dev/null 2>&1 ||
		skip "linux-headers-rt-amd64 is not installed"
	ls -d /usr/src/linux-headers-6.1.*-cloud-amd64 >/dev/null 2>&1 ||
		skip "linux-headers-cloud-amd64 is not installed"
}

test()
{
	"$REPO/scripts/compile-test.sh" rt-amd64
	"$REPO/scripts/compile-test.sh" cloud-amd64
}
