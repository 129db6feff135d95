# SPDX-License-Identifier: GPL-2.0
# The crash loop trusts tests/tools/stampio to notice lost writes: check
# that its verifier fails on each kind of damage (garbage, a torn unit,
# another unit's data, zeros never written, an older version than a durable
# write, a version never written there, an unstable read), and passes on
# the intact image in every write mode.
DESCRIPTION="stampio, the crash loop's verifier, catches garbage, misdirected, stale and unstable data"
TEST_GROUPS="quick crash"
HOST=1
TIMEOUT=120

STAMPIO=$REPO/tests/tools/stampio
UNITS=4096

requires()
{
	[ -x "$STAMPIO" ] || skip "tests/tools/stampio is not built (make)"
}

# sv IMG [options]: verify IMG against floor 1 and the log.
sv()
{
	local img=$1

	shift
	"$STAMPIO" verify "$img" --run 9 --units $UNITS --floor f1 --log log "$@"
}

# damaged NAME WHAT: the damaged copy must fail with a message matching WHAT.
damaged()
{
	local out rc=0

	out=$(sv "$1" 2>&1) || rc=$?
	[ "$rc" -eq 1 ] || fail "$1: verify exited $rc, expected 1: $out"
	grep -q "$2" <<< "$out" || fail "$1: no '$2' in: $out"
	echo "$1: caught: $(grep -m1 "$2" <<< "$out")"
}

# put IMG UNIT SRC SRCUNIT: copy one 512-byte unit.
put()
{
	dd if="$3" of="$1" bs=512 skip="$4" seek="$2" count=1 conv=notrunc status=none
}

test()
{
	local e=1 mode u out

	"$STAMPIO" init old.img --run 9 --units $UNITS --seq 0 --floor f1
	cp old.img good.img
	for mode in dsync direct buffered osync; do
		"$STAMPIO" write good.img --run 9 --units $UNITS --epoch $e --log log \
			--mode $mode --seed $e --count 200 --max 64
		e=$((e + 1))
	done
	sv good.img --out f2
	sv good.img --buffered --same-as f2

	# A unit that the durable writes changed: find one that differs.
	for ((u = 0; u < UNITS; u++)); do
		cmp -s <(dd if=old.img bs=512 skip=$u count=1 status=none) \
			<(dd if=good.img bs=512 skip=$u count=1 status=none) || break
	done
	[ "$u" -lt $UNITS ] || fail "the writers changed nothing"

	cp good.img stale.img
	put stale.img "$u" old.img "$u"
	damaged stale.img "stale: holds seq 0"

	cp good.img garbage.img
	dd if=/dev/urandom of=garbage.img bs=512 seek=7 count=1 conv=notrunc status=none
	damaged garbage.img "garbage"

	cp good.img torn.img
	printf 'x' | dd of=torn.img bs=1 seek=$((9 * 512 + 300)) conv=notrunc status=none
	damaged torn.img "torn or corrupt"

	cp good.img misdirected.img
	put misdirected.img 11 good.img 12
	damaged misdirected.img "misdirected"

	cp good.img zeros.img
	dd if=/dev/zero of=zeros.img bs=512 seek=13 count=1 conv=notrunc status=none
	damaged zeros.img "never zeroed"

	# The current version of another unit, moved: a seq never written there.
	cp good.img foreign.img
	"$STAMPIO" init other.img --run 9 --units $UNITS --seq 12345 --floor f9
	put foreign.img 15 other.img 15
	damaged foreign.img "never written there"

	# A completed O_DIRECT write that was not made durable yet may be lost
	# on a power cut, but not when nothing that completed is lost
	# (--strict). Kill a writer that never syncs, and undo one of its
	# writes.
	cp old.img acked.img
	(
		"$STAMPIO" write acked.img --run 9 --units $UNITS --epoch 9 --log log2 \
			--mode direct --seed 3 --batch 1000000 --max 64 > /dev/null &
		sleep 1
		kill -9 $!
		wait $!
	) 2> /dev/null || true
	"$STAMPIO" verify acked.img --run 9 --units $UNITS --floor f1 --log log2 --strict
	for ((u = 0; u < UNITS; u++)); do
		cmp -s <(dd if=old.img bs=512 skip=$u count=1 status=none) \
			<(dd if=acked.img bs=512 skip=$u count=1 status=none) || break
	done
	[ "$u" -lt $UNITS ] || fail "the killed writer changed nothing"
	put acked.img "$u" old.img "$u"
	"$STAMPIO" verify acked.img --run 9 --units $UNITS --floor f1 --log log2 |
		grep -q 'lost: [1-9]' || fail "a lost completed write is not counted"
	out=$("$STAMPIO" verify acked.img --run 9 --units $UNITS --floor f1 --log log2 \
		--strict 2>&1) && fail "--strict accepts a lost completed write"
	grep -q "the completed write of seq .* is lost" <<< "$out" ||
		fail "no lost completed write in: $out"
	echo "lost completed write: caught with --strict"

	# Stable reads: the same image against an older read's versions.
	out=$(sv good.img --same-as f1 2>&1) && fail "unstable reads not caught"
	grep -q unstable <<< "$out" || fail "no 'unstable' in: $out"
	echo "unstable reads: caught"
}
