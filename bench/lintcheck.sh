#!/usr/bin/env bash
# What a change does to tasklint's findings on the real-world corpus, in the
# spirit of clippy's lintcheck: builds two revisions, lints the corpus with
# both, and prints per rule how many findings each gave, then every finding
# added and every finding removed.
#   usage: bench/lintcheck.sh [--default | --select RULES] [--profile NAME]
#                             [OLD_REV] [NEW_REV|worktree] [CORPUS_DIR]
# OLD_REV defaults to the merge-base with main (or, on main itself, HEAD when
# the working tree has changes and HEAD~1 when it has none); NEW defaults to
# `worktree`, the working tree as it is, uncommitted changes included.
# CORPUS_DIR defaults to $TASKLINT_CORPUS or /tmp/tasklint-corpus, fetched
# if missing. Every rule is on (`--select all`) unless `--default` asks for the
# default set or `--select` for others. Builds use `--profile release`
# (`--profile fast` is quicker and finds the same). A finding is its rule,
# path, line, column and message; exit code 0 whatever the findings.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
select=(--select all)
profile=release
positional=()
while [ $# -gt 0 ]; do
  case $1 in
    --default) select=(); shift ;;
    --select) select=(--select "${2:?--select needs rules}"); shift 2 ;;
    --profile) profile=${2:?--profile needs a name}; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "lintcheck: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) positional+=("$1"); shift ;;
  esac
done
[ ${#positional[@]} -le 3 ] || { echo "lintcheck: at most OLD_REV NEW_REV CORPUS_DIR (see --help)" >&2; exit 2; }

cd "$repo"
main_branch=
for b in main master; do
  if git rev-parse --verify --quiet "$b^{commit}" >/dev/null; then main_branch=$b; break; fi
done
if [ ${#positional[@]} -ge 1 ]; then
  old=${positional[0]} old_name=${positional[0]}
else
  head=$(git rev-parse HEAD)
  base=$head
  [ -n "$main_branch" ] && base=$(git merge-base "$main_branch" HEAD)
  if [ "$base" != "$head" ]; then old=$base old_name="merge-base with $main_branch"
  elif ! git diff --quiet HEAD; then old=HEAD old_name=HEAD
  else old=HEAD~1 old_name=HEAD~1
  fi
fi
new=${positional[1]:-worktree}
corpus=${positional[2]:-${TASKLINT_CORPUS:-/tmp/tasklint-corpus}}

if [ ! -d "$corpus" ] || [ -z "$(ls -A "$corpus" 2>/dev/null)" ]; then
  bash "$repo/../shared/corpus/fetch.sh" "$corpus"
fi
corpus=$(cd "$corpus" && pwd)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tasklint-lintcheck.XXXXXX")
worktrees=()
cleanup() {
  for w in ${worktrees[@]+"${worktrees[@]}"}; do
    git -C "$repo" worktree remove --force "$w" >/dev/null 2>&1 || true
  done
  git -C "$repo" worktree prune >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Revisions are built in a target folder of their own, kept between runs, so
# that after the first run only tasklint itself is compiled again, and a
# commit's binary is kept there (bin/COMMIT-PROFILE) and not built twice. (In
# the working tree's folder each build would replace the other's binary; a
# copy of that folder does not help, as build scripts' outputs record their
# path.)
target_root=${CARGO_TARGET_DIR:-$repo/target}
rev_target=$target_root/lintcheck
profile_dir=$profile
[ "$profile" = dev ] && profile_dir=debug

build_rev() { # name rev: the binary of that commit in $built, built once and kept
  local name=$1 rev=$2 commit src=$tmp/$1-src
  commit=$(git rev-parse --verify --quiet "$rev^{commit}") || { echo "lintcheck: $rev is not a revision" >&2; exit 2; }
  built=$rev_target/bin/$commit-$profile
  if [ -x "$built" ]; then
    echo "lintcheck: $name: $rev, built before" >&2
    return
  fi
  worktrees+=("$src")
  git worktree add --detach "$src" "$commit" >"$tmp/worktree.log" 2>&1 || {
    cat "$tmp/worktree.log" >&2; exit 2; }
  echo "lintcheck: building $name: $rev" >&2
  CARGO_TARGET_DIR=$rev_target cargo build --profile "$profile" --locked --bin tasklint \
    --manifest-path "$src/Cargo.toml" >&2
  mkdir -p "$rev_target/bin"
  cp "$rev_target/$profile_dir/tasklint" "$tmp/copy"
  mv "$tmp/copy" "$built"
}

label() { git log -1 --format="%h %s" "$1" | cut -c1-72; }
build_rev old "$old"
old_bin=$built
old_label="$old_name: $(label "$old")"
if [ "$new" = worktree ]; then
  echo "lintcheck: building new: the working tree" >&2
  cargo build --profile "$profile" --locked --bin tasklint --manifest-path "$repo/Cargo.toml" >&2
  cp "$target_root/$profile_dir/tasklint" "$tmp/new-tasklint"
  new_bin=$tmp/new-tasklint
  dirty=
  git diff --quiet HEAD || dirty=" with uncommitted changes"
  new_label="working tree$dirty, on $(label HEAD)"
else
  build_rev new "$new"
  new_bin=$built
  new_label="$new: $(label "$new")"
fi

run() { # binary name -> findings in $tmp/name.json, its summary in $tmp/name.err
  local status=0
  "$1" check "$corpus" ${select[@]+"${select[@]}"} --format json --no-config \
    >"$tmp/$2.json" 2>"$tmp/$2.err" || status=$?
  if [ "$status" -gt 1 ]; then
    echo "lintcheck: the $2 build exited $status:" >&2
    cat "$tmp/$2.err" >&2
    exit 2
  fi
}
echo "lintcheck: linting $corpus" >&2
run "$old_bin" old
run "$new_bin" new

echo "old:    $old_label"
echo "new:    $new_label"
echo "corpus: $corpus, ${select[*]:-default rules}"
echo "old run: $(tail -n 1 "$tmp/old.err")"
echo "new run: $(tail -n 1 "$tmp/new.err")"
echo
python3 - "$tmp/old.json" "$tmp/new.json" "$corpus" <<'PY'
import collections, json, os, sys

old_path, new_path, corpus = sys.argv[1:]

def findings(path):
    with open(path, encoding="utf-8") as f:
        items = json.load(f)
    out = collections.Counter()
    for item in items:
        shown = item["path"]
        if shown.startswith(corpus + "/"):
            shown = shown[len(corpus) + 1:]
        out[(item["rule"], shown, item["line"], item["column"], item["message"])] += 1
    return out

old, new = findings(old_path), findings(new_path)
added, removed = new - old, old - new

def per_rule(counter):
    counts = collections.Counter()
    for (rule, *_), n in counter.items():
        counts[rule] += n
    return counts

before, after = per_rule(old), per_rule(new)
plus, minus = per_rule(added), per_rule(removed)
rules = sorted(set(before) | set(after))
width = max([len("rule"), len("total")] + [len(r) for r in rules])
row = "{:<%d}  {:>6}  {:>6}  {:>6}  {:>7}" % width
print(row.format("rule", "before", "after", "added", "removed"))
for rule in rules:
    print(row.format(rule, before[rule], after[rule], plus[rule], minus[rule]))
print(row.format("total", sum(before.values()), sum(after.values()),
                 sum(plus.values()), sum(minus.values())))

def listing(title, counter):
    print()
    print(f"{title} ({sum(counter.values())}):")
    for (rule, path, line, column, message), n in sorted(
        counter.items(), key=lambda kv: (kv[0][1], kv[0][2], kv[0][3], kv[0][0], kv[0][4])
    ):
        for _ in range(n):
            print(f"  {path}:{line}:{column} [{rule}] {message}")

listing("added", added)
listing("removed", removed)
PY
