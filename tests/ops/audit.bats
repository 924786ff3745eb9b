#!/usr/bin/env bats
# cctsa audit verify/append and cctsa ceremony render: an intact log exits 0; each kind of
# tampering (edited, edited with its hash recomputed, removed, inserted, reordered,
# truncated tail, records cut from the end against --count/--head) exits 1 naming the
# first bad line.

setup() {
	CCTSA="${CCTSA_BIN:?run through ctest}/cctsa"
	W=$(mktemp -d)
	L="$W/audit.log"
	for i in 1 2 3 4 5; do
		"$CCTSA" audit append "$L" --type rotation.step --field step="s$i" --field env=staging >/dev/null
	done
}

teardown() {
	rm -rf "$W"
}

head_of() { # prints the head hash of an intact log
	"$CCTSA" audit verify "$1" | sed 's/.* head //'
}

expect_bad_line() { # file, line number, message fragment
	run "$CCTSA" audit verify "$1"
	[ "$status" -eq 1 ]
	[[ "$output" == *"line $2: "*"$3"* ]] || { echo "got: $output"; false; }
}

@test "an intact log verifies with exit 0" {
	run "$CCTSA" audit verify "$L"
	[ "$status" -eq 0 ]
	[[ "$output" == *"intact, 5 records, head "* ]]
	[ "$(wc -l < "$L")" -eq 5 ]
	jq -s -e '.[2].seq == 3 and .[2].fields.step == "s3"' "$L" >/dev/null
}

@test "an edited record is named" {
	sed -i '3s/"s3"/"s9"/' "$L"
	expect_bad_line "$L" 3 "hash does not match"
}

@test "an edited record with a recomputed hash breaks the next record's prev" {
	line=$(sed -n 3p "$L" | jq -c '.fields.step = "forged" | del(.hash)' | jq -cS .)
	h=$( { printf 'cctsa-audit-v1\n'; printf '%s' "$line"; } | sha256sum | cut -c1-64)
	forged=$(jq -cS --arg h "$h" '.hash = $h' <<<"$line")
	awk -v f="$forged" 'NR == 3 { print f; next } { print }' "$L" > "$W/forged.log"
	expect_bad_line "$W/forged.log" 4 "prev is not the hash"
}

@test "a removed record is named" {
	sed -i '2d' "$L"
	expect_bad_line "$L" 2 "removed"
}

@test "an inserted record is named" {
	sed -n 2p "$L" > "$W/dup"
	sed -i "3r $W/dup" "$L"
	expect_bad_line "$L" 4 "inserted or the records reordered"
}

@test "reordered records are named" {
	awk 'NR == 2 { two = $0; next } NR == 3 { print; print two; next } { print }' "$L" > "$W/re.log"
	expect_bad_line "$W/re.log" 2 "removed before it"
}

@test "a truncated (torn) tail is named" {
	size=$(stat -c %s "$L")
	truncate -s $((size - 10)) "$L"
	expect_bad_line "$L" 5 "incomplete last record"
}

@test "records cut from the end are caught by --count and --head anchors" {
	h=$(head_of "$L")
	sed -i '$d' "$L"
	run "$CCTSA" audit verify "$L"
	[ "$status" -eq 0 ]
	run "$CCTSA" audit verify "$L" --count 5
	[ "$status" -eq 1 ]
	[[ "$output" == *"4 records but 5 were expected"* ]]
	run "$CCTSA" audit verify "$L" --head "$h"
	[ "$status" -eq 1 ]
	[[ "$output" == *"expected head"* ]]
}

@test "append refuses a damaged log and bad input" {
	sed -i '3s/"s3"/"s9"/' "$L"
	run "$CCTSA" audit append "$L" --type x
	[ "$status" -eq 1 ]
	[[ "$output" == *"does not verify"*"refusing to append"* ]]
	run "$CCTSA" audit append "$W/new.log" --type "Bad Type"
	[ "$status" -eq 2 ]
	run "$CCTSA" audit append "$W/new.log" --type ok --field novalue
	[ "$status" -eq 2 ]
	run "$CCTSA" audit verify
	[ "$status" -eq 2 ]
	run "$CCTSA" audit verify "$W/missing.log"
	[ "$status" -eq 1 ]
}

@test "ceremony render turns a transcript into Markdown and rejects a bad one" {
	cat > "$W/t.json" <<'JSON'
{"format": "cctsa-ceremony-transcript/1", "kind": "ca-init", "title": "Root CA ceremony",
 "started": "2026-11-22T01:00:00.000Z", "finished": "2026-11-22T01:30:00.000Z",
 "outcome": "completed",
 "software": {"name": "cctsa", "version": "0.1.0", "measurement": null},
 "context": {"custodians": "5", "threshold": "3"},
 "participants": [{"name": "Alice", "role": "ceremony-master", "identity": "badge 17"},
                  {"name": "Bob", "role": "witness", "identity": null}],
 "steps": [{"seq": 1, "name": "generate roots", "started": "2026-11-22T01:01:00.000Z",
            "finished": "2026-11-22T01:02:00.000Z", "outcome": "ok", "detail": null,
            "artefacts": [{"name": "root-ecdsa.pem", "size": 3,
              "sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}]}]}
JSON
	run "$CCTSA" ceremony render "$W/t.json"
	[ "$status" -eq 0 ]
	[[ "$output" == *"# Ceremony transcript: Root CA ceremony"* ]]
	[[ "$output" == *"| Alice | Ceremony Master | badge 17 |"* ]]
	[[ "$output" == *"| root-ecdsa.pem | 3 | \`ba7816bf"* ]]
	"$CCTSA" ceremony render "$W/t.json" --out "$W/t.md"
	grep -q "## Sign-off" "$W/t.md"
	run "$CCTSA" ceremony render "$W/t.json" --out "$W/t.md"
	[ "$status" -eq 1 ]
	jq '.steps[0].seq = 2' "$W/t.json" > "$W/bad.json"
	run "$CCTSA" ceremony render "$W/bad.json"
	[ "$status" -eq 1 ]
	[[ "$output" == *"not a valid transcript: step 1"* ]]
}
