#!/usr/bin/env bash
# The project's test command: prepares the machine (scripts/setup.sh), builds the solution and runs
# every test project against the real libvirtd. Ends with the totals over all test projects as
# "N passed, N failed, N skipped"; exits non-zero when a build or a test failed.
# Extra arguments go to `dotnet test` (e.g. --filter "FullyQualifiedName~Snapshot").
set -uo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh || { echo "test: machine set-up failed"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }

results=$(mktemp -d "${TMPDIR:-/tmp}/fibackup-test-results.XXXXXX")
# Tests make hundreds of throwaway domains; keep their lock files out of the host's /run/lock/fibackup.
export FIBACKUP_LOCK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/fibackup-test-locks.XXXXXX")
trap 'rm -rf "$results" "$FIBACKUP_LOCK_DIR"' EXIT

echo "test: building"
if ! dotnet build FiBackup.Operator.sln -c Release -nologo -clp:ErrorsOnly; then
  echo "test: build failed"
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi

dotnet test FiBackup.Operator.sln -c Release --no-build -nologo \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" \
  --blame-hang-timeout 8m "$@"
status=$?

passed=0 failed=0 skipped=0 total=0
shopt -s nullglob
trx_files=("$results"/*.trx)
for trx in "${trx_files[@]}"; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  get() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters"; }
  t=$(get total); p=$(get passed); f=$(get failed)
  total=$((total + ${t:-0})); passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
skipped=$((total - passed - failed))
if ((${#trx_files[@]} == 0)); then failed=$((failed + 1)); echo "test: no test results were written"; fi

# The suite must clean up after itself: a test domain left defined is a failure of the suite.
leftover=$(virsh -c qemu:///system list --all --name 2>/dev/null | grep -E '^fibt-' || true)
if [[ -n $leftover ]]; then
  echo "test: test domains left defined: $leftover"
  failed=$((failed + 1)); status=1
fi

echo "$passed passed, $failed failed, $skipped skipped"
if ((status != 0 || failed != 0)); then exit 1; fi
exit 0
