#!/usr/bin/env bash
# Speed and memory of tasklint on the real-world corpus, against ripgrep
# listing the files that mention `spawn` (SPEC §8), back to back on a warm
# page cache: cold (no result cache) and warm (the result cache of a
# previous run over the unchanged corpus).
#   usage: bench/corpus.sh [CORPUS_DIR]      (RUNS=5 by default)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
corpus=${1:-${TASKLINT_CORPUS:-/tmp/tasklint-corpus}}
runs=${RUNS:-5}

if [ ! -d "$corpus" ] || [ -z "$(ls -A "$corpus" 2>/dev/null)" ]; then
  fetch="$repo/../shared/corpus/fetch.sh"
  [ -x "$fetch" ] || fetch="$repo/../shared/corpus/fetch.sh"
  bash "$fetch" "$corpus"
fi
if ! command -v rg >/dev/null; then
  echo "installing ripgrep..." >&2
  { apt-get install -y -qq ripgrep >/dev/null 2>&1 || cargo install --quiet --locked ripgrep; } >&2
fi
[ -x /usr/bin/time ] || apt-get install -y -qq time >/dev/null 2>&1

cargo build --release --locked --quiet --manifest-path "$repo/Cargo.toml"
tasklint="$repo/target/release/tasklint"

seconds() { # command... → wall seconds on stdout
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1 || true
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.4f\n", e - s }' 
}
median() { sort -g | awk '{ v[NR] = $1 } END { printf "%.3f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT
cold=("$tasklint" check "$corpus" --select all --quiet --format concise --no-cache)
warm=("$tasklint" check "$corpus" --select all --quiet --format concise --cache-dir "$cache")

# Warm the page cache for both, and fill the result cache.
rg -l -t rust spawn "$corpus" >/dev/null
"${cold[@]}" >/dev/null || true
"${warm[@]}" >/dev/null || true
# Stamps taken within two seconds of a run are not trusted alone (see
# src/input/stamp.rs): one more run once they are older.
sleep 2.1
"${warm[@]}" >/dev/null || true
cmp <("${cold[@]}") <("${warm[@]}") || { echo "warm output differs from cold" >&2; exit 1; }

fresh=("$tasklint" check "$corpus" --select all --quiet --format concise --cache-dir "$cache/fresh")
rg_times=() tl_times=() warm_times=() fresh_times=()
for _ in $(seq "$runs"); do
  rg_times+=("$(seconds rg -l -t rust spawn "$corpus")")
  tl_times+=("$(seconds "${cold[@]}")")
  warm_times+=("$(seconds "${warm[@]}")")
  rm -rf "$cache/fresh"
  fresh_times+=("$(seconds "${fresh[@]}")")
done
rg_median=$(printf '%s\n' "${rg_times[@]}" | median)
tl_median=$(printf '%s\n' "${tl_times[@]}" | median)
warm_median=$(printf '%s\n' "${warm_times[@]}" | median)
fresh_median=$(printf '%s\n' "${fresh_times[@]}" | median)

stats=$("$tasklint" check "$corpus" --select all --format concise --statistics --no-cache 2>&1 >/dev/null | grep '^files:' || true)
peak_kb=$( { /usr/bin/time -f '%M' "$tasklint" check "$corpus" --select all --quiet --format concise --no-cache >/dev/null || true; } 2>&1 | tail -n 1)
nopre=$(seconds "$tasklint" check "$corpus" --select all --quiet --format concise --no-prefilter)
nopre_kb=$( { /usr/bin/time -f '%M' "$tasklint" check "$corpus" --select all --quiet --format concise --no-prefilter >/dev/null || true; } 2>&1 | tail -n 1)

echo "corpus:            $corpus ($(find "$corpus" -name '*.rs' | wc -l) .rs files), $(nproc) cores, $runs runs"
echo "ripgrep median:    ${rg_median} s   (rg -l -t rust spawn)"
echo "tasklint median:   ${tl_median} s   (check --select all --no-cache: cold)"
echo "ratio:             $(awk -v t="$tl_median" -v r="$rg_median" 'BEGIN { printf "%.2f", t / r }')x   (target: at most 3x)"
echo "cold, writing:     ${fresh_median} s   (an empty result cache, filled: $(awk -v f="$fresh_median" -v t="$tl_median" 'BEGIN { printf "%+.0f%%", (f / t - 1) * 100 }') on cold)"
echo "warm median:       ${warm_median} s   (the same, from the result cache)"
echo "warm ratio:        $(awk -v t="$warm_median" -v r="$rg_median" 'BEGIN { printf "%.2f", t / r }')x   (target: at most 0.5x)"
warm_kb=$( { /usr/bin/time -f '%M' "${warm[@]}" >/dev/null || true; } 2>&1 | tail -n 1)
echo "$stats"
echo "peak memory:       $((peak_kb / 1024)) MB   (target: under 300 MB); warm $((warm_kb / 1024)) MB"
echo "cache size:        $(du -sh --exclude=fresh "$cache" | cut -f1)"
echo "--no-prefilter:    ${nopre} s, peak $((nopre_kb / 1024)) MB"
