#!/usr/bin/env bash
# docgen demo: runs every capability on the bundled examples and writes results to out/demo/.
# Run from anywhere after setup (README, first command). Exit 0 when every step ran.
set -uo pipefail
cd "$(dirname "$0")/.."
DOCGEN="${DOCGEN:-.venv/bin/docgen}"
command -v "$DOCGEN" >/dev/null 2>&1 || DOCGEN=docgen
OUT=out/demo
rm -rf "$OUT" && mkdir -p "$OUT"
export DOCGEN_REGISTER="$OUT/register.sqlite"
AS_OF=2026-11-28
PDF=()
command -v soffice >/dev/null 2>&1 && PDF=(--pdf)

step() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "${*:2}"; }
# `docgen check` exits 1 for an incomplete bundle: that is the demo's point, not a failure.
run() { "$@"; rc=$?; if [ "$rc" -gt 1 ]; then echo "demo step failed (exit $rc): $*" >&2; exit "$rc"; fi; }

step "1. 资料清单检查 Check the example client bundle" docgen check examples/bundle --as-of $AS_OF
run "$DOCGEN" check examples/bundle --as-of $AS_OF
run "$DOCGEN" check examples/bundle --as-of $AS_OF --format docx -o "$OUT/资料清单.docx"
run "$DOCGEN" check examples/bundle --as-of $AS_OF --format json -o "$OUT/check.json"
run "$DOCGEN" check examples/bundle --as-of $AS_OF --format markdown -o "$OUT/check.md"

step "2. 起草附件 Draft the annexes of 篇十三 from bundle.yaml" docgen draft examples/bundle --annex 1 … --annex 11
# 附件六 is the bank's own contract (drafted only with --template), so this step exits 1 by design.
run "$DOCGEN" draft examples/bundle --annex 1 --annex 2 --annex 3 --annex 4 --annex 5 --annex 6 --annex 7 \
    --annex 8 --annex 9 --annex 10 --annex 11 --out "$OUT/annexes" ${PDF[@]+"${PDF[@]}"}
run "$DOCGEN" render demand-letter --data examples/templates/demand-letter.yaml -o "$OUT/annexes/demand-letter.docx"

step "3. 批量催收函 Batch demand letters from Excel" docgen batch demand-letter --rows examples/templates/demand-letters.xlsx
run "$DOCGEN" batch demand-letter --rows examples/templates/demand-letters.xlsx --out "$OUT/letters" \
    ${PDF[@]+"${PDF[@]}"} ${PDF[@]+--merge-pdf "$OUT/letters/催收函-打印.pdf"}
run "$DOCGEN" register list

step "4. 不良贷款报告 NPL report to head office" docgen npl-report --period 2026Q2
run "$DOCGEN" npl-report --ledger examples/ledger/ledger-2026Q2.xlsx --opening examples/ledger/ledger-2026Q1.xlsx \
    --period 2026Q2 --targets examples/ledger/targets.yaml --notes examples/ledger/notes.yaml \
    -o "$OUT/不良贷款报告-2026Q2.docx" ${PDF[@]+"${PDF[@]}"}

step "5. 催收计划 Collection plan and letters due" docgen collect plan --as-of 2026-06-30
run "$DOCGEN" collect plan --ledger examples/ledger/ledger-2026Q2.xlsx --as-of 2026-06-30 --format xlsx -o "$OUT/催收计划.xlsx"
run "$DOCGEN" collect plan --ledger examples/ledger/ledger-2026Q2.xlsx --as-of 2026-06-30 -o "$OUT/催收计划.txt"
head -n 25 "$OUT/催收计划.txt"
run "$DOCGEN" collect letters --ledger examples/ledger/ledger-2026Q2.xlsx --as-of 2026-06-30 --policy examples/collection-policy.yaml --out "$OUT/due-letters"

printf '\nDone: results in %s/\n' "$OUT"
