#!/usr/bin/env bash
# Batch speed: timl compiles 100,000 rows of JSON Lines into request bodies, and jq
# builds the same bodies from the same rows, in the same run.
#
#   bash benches/batch.sh            # 100,000 rows
#   ROWS=1000000 bash benches/batch.sh
#
# Needs jq (apt-get install jq). Prints the time of each, checks that timl's output
# (with a fixed --random, since jq cannot derive one) is byte-identical to jq's, and
# reports timl's peak memory.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${ROWS:-100000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

command -v jq >/dev/null || { echo "jq is needed: apt-get install jq" >&2; exit 1; }
cargo build --release --quiet

awk -v n="$rows" 'BEGIN { for (i = 0; i < n; i++)
  printf "{\"group\":\"@TGS#grp%07d\",\"name\":\"User %d\",\"order\":\"A-%07d\",\"date\":\"2026-12-%02d\"}\n", i, i, i, i % 28 + 1 }' > "$work/rows.jsonl"

cat > "$work/order.timl" <<'TIML'
---
group: {{ group }}
type: Work
---
Hello {{ name }}, your order {{ order }} ships on {{ date }}.
TIML

jq_program='{GroupId: .group, Random: 1, MsgBody: [{MsgType: "TIMTextElem", MsgContent: {Text: ("Hello " + .name + ", your order " + .order + " ships on " + .date + ".")}}]}'

# seconds OUT COMMAND...: runs COMMAND with its output in OUT, prints the seconds.
seconds() { local out=$1 start end; shift; start=$(date +%s.%N); "$@" > "$out"; end=$(date +%s.%N); echo "$end - $start" | bc; }

t_jq=$(seconds "$work/jq.jsonl" jq -c "$jq_program" "$work/rows.jsonl")
# timl writes with -o: its output file appears whole once every row compiled, so
# standard output would cost a second copy through a temporary file.
t_fixed=$(seconds /dev/null ./target/release/timl compile "$work/order.timl" --data "$work/rows.jsonl" --random 1 -o "$work/timl-fixed.jsonl")
t_derived=$(seconds /dev/null ./target/release/timl compile "$work/order.timl" --data "$work/rows.jsonl" -o "$work/timl.jsonl")

cmp "$work/jq.jsonl" "$work/timl-fixed.jsonl" && same="byte-identical" || same="DIFFERENT"
peak=$( { /usr/bin/time -v ./target/release/timl compile "$work/order.timl" --data "$work/rows.jsonl" -o "$work/timl.jsonl"; } 2>&1 | awk -F: '/Maximum resident/ { gsub(/ /, "", $2); print $2 }')

printf 'rows: %s\n' "$rows"
printf 'jq:                      %6.3f s\n' "$t_jq"
printf 'timl (--random 1):       %6.3f s  %5.1fx faster than jq, output %s\n' "$t_fixed" "$(echo "$t_jq / $t_fixed" | bc -l)" "$same"
printf 'timl (derived Random):   %6.3f s  %5.1fx faster than jq\n' "$t_derived" "$(echo "$t_jq / $t_derived" | bc -l)"
printf 'timl peak memory:        %s KB\n' "$peak"
[ "$same" = byte-identical ]
