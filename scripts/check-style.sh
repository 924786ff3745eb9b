#!/usr/bin/env bash
# Mechanical checks of STYLE.md §2 over src/ and apps/: banned calls, where heap and
# memcmp may be used, no exit/abort/printf in library modules, file and function size.
# A line may opt out of one rule with a trailing `/* style: allow */` and a reason nearby.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
fail=0
say() { echo "check-style: $*"; fail=1; }

mapfile -t files < <(find src apps -name '*.c' -o -name '*.h' | sort)
grep_rule() { # pattern, description, files...
	local pat=$1 what=$2; shift 2
	local hits
	hits=$(grep -nE "$pat" "$@" /dev/null | grep -v 'style: allow' || true)
	[ -z "$hits" ] || say "$what:"$'\n'"$hits"
}

grep_rule '\b(strcpy|strcat|sprintf|vsprintf|atoi|atol|gets)\s*\(|[^_a-z]rand\s*\(' \
	"banned call" "${files[@]}"
others=(); for f in "${files[@]}"; do [ "$f" = src/base/mem.c ] || others+=("$f"); done
grep_rule '\b(malloc|calloc|realloc|free)\s*\(' "heap use outside src/base/mem.c" "${others[@]}"
others=(); for f in "${files[@]}"; do [ "$f" = src/base/ct.c ] || others+=("$f"); done
grep_rule '\bmemcmp\s*\(' "memcmp outside src/base/ct.c (use cctsa_ct_memeq or cctsa_memcmp_var)" "${others[@]}"

lib=()
for m in base der hash mldsa sss record x509 tsp attest time tmldsa tecdsa; do
	[ -d "src/$m" ] && while IFS= read -r f; do lib+=("$f"); done < <(find "src/$m" -name '*.[ch]')
done
if ((${#lib[@]})); then
	grep_rule '\b(exit|abort|printf|puts|perror)\s*\(|\bf?printf\s*\(\s*std(out|err)' \
		"library modules never print or exit" "${lib[@]}"
fi

for f in "${files[@]}"; do
	n=$(wc -l < "$f")
	[ "$n" -le 800 ] || say "$f has $n lines (max 800)"
done
# Functions: a body opens with `{` in column 0 and closes with `}` in column 0.
for f in $(printf '%s\n' "${files[@]}" | grep '\.c$'); do
	awk -v f="$f" '
		/^\{/ { start = NR; name = prev }
		/^\}/ && start { if (NR - start > 80) printf "check-style: %s:%d: function %s is %d lines (max 80)\n", f, start, name, NR - start; start = 0 }
		{ prev = $0 }' "$f"
done | { grep . && exit 1 || exit 0; } || fail=1

[ $fail -eq 0 ] && echo "check-style: ok (${#files[@]} files)"
exit $fail
