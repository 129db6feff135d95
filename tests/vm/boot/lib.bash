# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Helpers of the boot-integration tests (tests/vm/boot/*.sh): the real udevd
# of the guest's root with our rules installed into the guest's overlay.

BCTL=${TOOLS:-}/bcachectl
UDEVD=/lib/systemd/systemd-udevd
UDEVD_LOG=/tmp/udevd.log

# boot_setup: install the rules (@SBINDIR@ = the in-repo tools) and a rule
# that hands the module path to bcachectl (the guest has no installed
# module: bcachectl insmods $BCACHE_MODULE).
boot_setup()
{
	mkdir -p /etc/udev/rules.d /etc/bcache
	sed "s|@SBINDIR@|$TOOLS|g" "$REPO/scripts/udev/68-bcache-register.rules.in" \
		> /etc/udev/rules.d/68-bcache-register.rules
	grep -q '@' /etc/udev/rules.d/68-bcache-register.rules && fail "unsubstituted @...@ in the rules"
	echo "SUBSYSTEM==\"block\", ENV{BCACHE_MODULE}=\"$BCACHE_KO\"" \
		> /etc/udev/rules.d/00-bcache-test.rules
	rm -f /etc/bcache/devices
	export BCACHE_MODULE=$BCACHE_KO
}

# udev_start: udevd, with its log in $UDEVD_LOG; no events yet.
udev_start()
{
	"$UDEVD" >> "$UDEVD_LOG" 2>&1 &
	wait_for 10 udevadm control --ping --timeout=1 || fail "udevd does not start"
}

# udevd_gone: no udevd (zombies do not count), checked anew at each call.
udevd_gone()
{
	! pidof -q systemd-udevd
}

# udevd_exit: ask udevd to exit; true once it is gone. Asked again on each
# call: udevd drops a control message that raced its own setup of the
# connection (see check_udev_log).
udevd_exit()
{
	udevadm control --exit --timeout=2 >/dev/null 2>&1
	udevd_gone
}

udev_stop()
{
	udevadm control --ping --timeout=1 >/dev/null 2>&1 || return 0
	udevadm settle --timeout=60
	wait_for 20 udevd_exit || fail "udevd does not exit"
}

# uevent ACTION DEV...: an ACTION uevent for each of these block devices,
# in this order, each processed before the next.
uevent()
{
	local action=$1 d

	shift
	for d in "$@"; do
		udevadm trigger --action="$action" --settle "/sys/class/block/${d##*/}"
	done
}

# coldplug DEV...: "add" uevents, as at boot.
coldplug()
{
	uevent add "$@"
}

# bcache_devs: the registered /dev/bcacheN, one per line.
bcache_devs()
{
	local d

	for d in /sys/block/bcache*/bcache/uuid; do
		[ -e "$d" ] || continue
		d=${d%/bcache/uuid}
		echo "/dev/${d##*/}"
	done
}

# stop_all: stop every bcacheN, unregister every cache.
stop_all()
{
	local d c

	for d in $(bcache_devs); do
		bch_stop_dev "$d"
	done
	for c in "$SYSFS_BCACHE"/*/unregister; do
		[ -e "$c" ] || continue
		sysfs_write "$c" 1
		wait_for 60 [ ! -e "$c" ]
	done
}

# fake_reboot: everything bcache and udev knew is gone, as after a reboot:
# devices stopped, module unloaded, udev database and /dev links removed.
fake_reboot()
{
	udev_stop
	stop_all
	unload_module
	rm -rf /run/udev /run/bcache /dev/disk /dev/bcache
}

# links_to DEV: the /dev/disk/by-{uuid,label} links pointing at DEV, and
# those udev has DEV claim (a claim outranked by /dev/bcacheN's link
# priority is still a claim: the link would point at DEV without it).
links_to()
{
	local l

	for l in /dev/disk/by-uuid/* /dev/disk/by-label/*; do
		[ -L "$l" ] && [ "$(readlink -f "$l")" = "$1" ] && echo "$l"
	done
	for l in $(udevadm info --query=symlink --name="$1" 2>/dev/null); do
		case "$l" in
		disk/by-uuid/*|disk/by-label/*) echo "/dev/$l (claimed)" ;;
		esac
	done
	return 0
}

# udev_prop DEV KEY: a property of DEV in the udev database.
udev_prop()
{
	udevadm info --query=property --name="$1" | sed -n "s/^$2=//p"
}

# check_udev_log: udevd reported no failing program and no rule error.
# Not counted: udevd 252 accepts a control connection and only then turns
# on SO_PASSCRED for it, and udevadm does not send credentials itself, so
# a ping or exit sent inside that window arrives without them (the kernel
# reports uid 65534) and is dropped. That is udevd's race with its own
# client, not a rule's problem; udev_start and udev_stop retry it.
check_udev_log()
{
	if grep -Ei 'fail|error|invalid|ignoring|timeout|killing' "$UDEVD_LOG" |
		grep -Ev '^(Invalid sender uid [0-9]+|No sender credentials received), ignoring message$'; then
		fail "udevd reports problems (above)"
	fi
	return 0
}

# boot_teardown: leave nothing registered (guest.sh rmmods the module).
boot_teardown()
{
	udev_stop
	stop_all
}
