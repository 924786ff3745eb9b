#!/usr/bin/env bats
# cctsa sss split/combine/inspect: every 3-subset of 5 shards rebuilds the secret, 2 are
# refused, mistyped/foreign/duplicated shards are refused naming the file, files are 0600,
# nothing is overwritten, and each --qr PNG decodes (zbarimg) back to the shard text.

setup() {
	CCTSA="${CCTSA_BIN:?run through ctest}/cctsa"
	W=$(mktemp -d)
	head -c 100 /dev/urandom > "$W/secret"
	chmod 600 "$W/secret"
}

teardown() {
	rm -rf "$W"
}

split5() {
	run "$CCTSA" sss split --threshold 3 --shares 5 --in "$W/secret" --out-dir "$W/sh" "$@"
	[ "$status" -eq 0 ]
}

@test "every 3 of 5 shards rebuild the secret; 2 are refused" {
	split5
	n=0
	for a in 1 2 3 4 5; do for b in 1 2 3 4 5; do for c in 1 2 3 4 5; do
		[ "$a" -lt "$b" ] && [ "$b" -lt "$c" ] || continue
		rm -f "$W/out"
		"$CCTSA" sss combine --out "$W/out" "$W/sh/shard-$a-of-5.txt" "$W/sh/shard-$b-of-5.txt" \
			"$W/sh/shard-$c-of-5.txt" >/dev/null
		cmp "$W/out" "$W/secret"
		n=$((n + 1))
	done; done; done
	[ "$n" -eq 10 ]
	rm -f "$W/out"
	run "$CCTSA" sss combine --out "$W/out" "$W/sh/shard-1-of-5.txt" "$W/sh/shard-4-of-5.txt"
	[ "$status" -eq 1 ]
	[[ "$output" == *"only 2 distinct shard(s)"*"3 are needed"* ]]
	[ ! -e "$W/out" ]
}

@test "all five shards: the extra ones are checked too" {
	split5
	"$CCTSA" sss combine --out "$W/out" "$W"/sh/shard-*-of-5.txt
	cmp "$W/out" "$W/secret"
}

@test "shards and the rebuilt secret are mode 0600; nothing is overwritten" {
	split5
	for f in "$W"/sh/shard-*.txt; do [ "$(stat -c %a "$f")" = 600 ]; done
	"$CCTSA" sss combine --out "$W/out" "$W"/sh/shard-{1,2,3}-of-5.txt
	[ "$(stat -c %a "$W/out")" = 600 ]
	run "$CCTSA" sss combine --out "$W/out" "$W"/sh/shard-{1,2,3}-of-5.txt
	[ "$status" -eq 1 ]
	[[ "$output" == *"already exists"* ]]
	run "$CCTSA" sss split --threshold 3 --shares 5 --in "$W/secret" --out-dir "$W/sh"
	[ "$status" -eq 1 ]
	[[ "$output" == *"already exists"* ]]
}

@test "a mistyped shard is refused naming the file" {
	split5
	cp "$W/sh/shard-2-of-5.txt" "$W/typo.txt"
	# change one payload digit (line 9 is the first payload line)
	sed -i '9{s/^0/1/;t;s/^./0/}' "$W/typo.txt"
	run cmp -s "$W/typo.txt" "$W/sh/shard-2-of-5.txt"
	[ "$status" -eq 1 ]
	run "$CCTSA" sss combine --out "$W/out" "$W/sh/shard-1-of-5.txt" "$W/typo.txt" "$W/sh/shard-3-of-5.txt"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$W/typo.txt"*"checksum mismatch"* ]]
	run "$CCTSA" sss inspect "$W/typo.txt"
	[ "$status" -eq 1 ]
	[[ "$output" == *"checksum mismatch"* ]]
}

@test "a foreign shard (another split) is refused naming it" {
	split5
	"$CCTSA" sss split --threshold 3 --shares 5 --in "$W/secret" --out-dir "$W/other" >/dev/null
	run "$CCTSA" sss combine --out "$W/out" "$W/sh/shard-1-of-5.txt" "$W/sh/shard-2-of-5.txt" \
		"$W/other/shard-3-of-5.txt"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$W/other/shard-3-of-5.txt belongs to another set"* ]]
}

@test "a duplicated shard is refused naming both copies" {
	split5
	cp "$W/sh/shard-2-of-5.txt" "$W/copy.txt"
	run "$CCTSA" sss combine --out "$W/out" "$W/sh/shard-1-of-5.txt" "$W/sh/shard-2-of-5.txt" "$W/copy.txt"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$W/copy.txt duplicates index 2 of $W/sh/shard-2-of-5.txt"* ]]
}

@test "inspect reports the set, index and threshold" {
	split5
	run "$CCTSA" sss inspect "$W/sh/shard-4-of-5.txt"
	[ "$status" -eq 0 ]
	[[ "$output" == *"checksum ok"*"shard 4 of 5, threshold 3, secret 100 bytes"* ]]
}

@test "misuse exits 2 with a message" {
	run "$CCTSA" sss split --threshold 4 --shares 3 --in "$W/secret" --out-dir "$W/x"
	[ "$status" -eq 2 ]
	run "$CCTSA" sss split --threshold x --shares 3 --in "$W/secret" --out-dir "$W/x"
	[ "$status" -eq 2 ]
	run "$CCTSA" sss combine "$W/secret"
	[ "$status" -eq 2 ]
	run "$CCTSA" sss frobnicate
	[ "$status" -eq 2 ]
	run "$CCTSA" sss --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"usage: cctsa sss split"* ]]
}

@test "--qr writes PNGs that decode back to the shard text" {
	command -v zbarimg >/dev/null || { echo "zbarimg missing (Debian zbar-tools)"; false; }
	split5 --qr
	for i in 1 2 3 4 5; do
		png="$W/sh/shard-$i-of-5.png"
		[ "$(stat -c %a "$png")" = 600 ]
		[ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]
		zbarimg --raw -q -Sbinary "$png" > "$W/decoded"
		cmp "$W/decoded" "$W/sh/shard-$i-of-5.txt"
	done
}

@test "--qr splits a long shard into parts that join to the text" {
	command -v zbarimg >/dev/null || { echo "zbarimg missing (Debian zbar-tools)"; false; }
	head -c 3000 /dev/urandom > "$W/big"
	"$CCTSA" sss split --threshold 2 --shares 2 --in "$W/big" --out-dir "$W/sh" --qr >/dev/null
	ls "$W/sh"/shard-1-of-2.part-*-of-4.png
	: > "$W/joined"
	for k in 1 2 3 4; do
		zbarimg --raw -q -Sbinary "$W/sh/shard-1-of-2.part-$k-of-4.png" >> "$W/joined"
	done
	cmp "$W/joined" "$W/sh/shard-1-of-2.txt"
}

@test "qr re-encodes existing shard files, checked first" {
	command -v zbarimg >/dev/null || { echo "zbarimg missing (Debian zbar-tools)"; false; }
	split5
	mkdir "$W/print"
	"$CCTSA" sss qr --out-dir "$W/print" "$W/sh/shard-3-of-5.txt"
	[ "$(stat -c %a "$W/print/shard-3-of-5.txt.png")" = 600 ]
	zbarimg --raw -q -Sbinary "$W/print/shard-3-of-5.txt.png" > "$W/decoded"
	cmp "$W/decoded" "$W/sh/shard-3-of-5.txt"
	sed -i '9{s/^0/1/;t;s/^./0/}' "$W/sh/shard-2-of-5.txt"
	run "$CCTSA" sss qr --out-dir "$W/print" "$W/sh/shard-2-of-5.txt"
	[ "$status" -eq 1 ]
	[[ "$output" == *"checksum mismatch"* ]]
	[ ! -e "$W/print/shard-2-of-5.txt.png" ]
}
