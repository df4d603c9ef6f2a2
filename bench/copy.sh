#!/usr/bin/env bash
# Copy throughput, side by side on the same image in one run:
#   fibackup  SparseFileCopier (bench/CopyBench): sparse copy + SHA-256 + fsync + rename
#   cp        cp --sparse=always, then sync
#   qemu-img  qemu-img convert -O qcow2, then sync
#   (and cp + sync + sha256sum, to show what the hash costs as a second pass)
# The image: a 2 GiB qcow2 with ~1 GiB of random data written through qemu in scattered 1 MiB
# chunks (random order, so its clusters sit in the file as a guest would leave them).
# Page caches are dropped before every copy when the kernel allows it. Rounds alternate the
# tools (A B C D A B C D ...) so drift hits them alike; medians and ratios are printed at the end.
#
# usage: bench/copy.sh [ROUNDS]   (default 3; env BENCH_DIR picks the scratch directory, default /var/tmp)
#   BENCH_BASELINE=REV also builds CopyBench from git revision REV (e.g. main) and runs it in every
#   round as "baseline", so a change is measured before/after in one run, under the same load.
# needs: dotnet, qemu-img, qemu-io, GNU time (/usr/bin/time), bc, shuf; root to drop caches
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
chunks=1024                # 1 MiB writes
slots=2048                 # 2 GiB / 1 MiB

work=$(mktemp -d "${BENCH_DIR:-/var/tmp}/fibackup-copy-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "copy bench: building bench/CopyBench"
dotnet build bench/CopyBench -c Release -nologo -clp:ErrorsOnly -o "$work/bin" >/dev/null
fibackups=(fibackup)
if [[ -n ${BENCH_BASELINE:-} ]]; then
  echo "copy bench: building bench/CopyBench at $BENCH_BASELINE ($(git rev-parse --short "$BENCH_BASELINE")) as baseline"
  mkdir "$work/baseline-src"
  git archive "$BENCH_BASELINE" | tar -x -C "$work/baseline-src"
  dotnet build "$work/baseline-src/bench/CopyBench" -c Release -nologo -clp:ErrorsOnly -o "$work/bin-baseline" >/dev/null
  fibackups+=(baseline)
fi
bench_bin() { [[ $1 == baseline ]] && echo "$work/bin-baseline/CopyBench" || echo "$work/bin/CopyBench"; }

echo "copy bench: making a 2 GiB qcow2 with $chunks random 1 MiB chunks"
src=$work/source.qcow2
qemu-img create -q -f qcow2 "$src" 2G
for i in $(seq 0 15); do head -c 1M /dev/urandom >"$work/chunk$i"; done
commands=()
i=0
for slot in $(shuf -i 0-$((slots - 1)) -n "$chunks"); do
  commands+=(-c "write -q -s $work/chunk$((i % 16)) $((slot * 1048576)) 1M")
  i=$((i + 1))
done
qemu-io -f qcow2 "${commands[@]}" "$src"
rm -f "$work"/chunk*
data_bytes=$(qemu-img map --output=json "$src" | awk '/"data": true/ { match($0, /"length": [0-9]+/); sum += substr($0, RSTART + 10, RLENGTH - 10) } END { print sum }')
file_bytes=$(stat -c %s "$src")
echo "copy bench: source file $file_bytes bytes, guest data $data_bytes bytes"

drop_caches() { sync; echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || caches_note=" (page caches could not be dropped: warm-cache figures)"; }
caches_note=""

now() { echo "$EPOCHREALTIME"; }
declare -A times cpu inproc
echo "copy bench: load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
run() { # name, command...
  local name=$1; shift
  rm -f "$work/out" "$work/out.partial"
  drop_caches
  local start end
  start=$(now)
  /usr/bin/time -f "%U %S" -o "$work/last.cpu" "$@" >"$work/last.out"
  end=$(now)
  times[$name]+="$(echo "$end - $start" | bc -l) "
  cpu[$name]+="$(awk '{print $1 + $2}' "$work/last.cpu") "
}

for round in $(seq 1 "$rounds"); do
  for fib in "${fibackups[@]}"; do
    run "$fib" "$(bench_bin "$fib")" "$src" "$work/out"
    inproc[$fib]+="$(cut -d' ' -f1 "$work/last.out") "
    if ((round == 1)); then
      # The copy must be right before its speed means anything.
      read -r _ _ reported <"$work/last.out"
      actual=$(sha256sum "$work/out" | cut -d' ' -f1)
      [[ $reported == "$actual" ]] || { echo "copy bench: $fib's hash $reported != sha256sum $actual"; exit 1; }
      cmp -s "$src" "$work/out" || { echo "copy bench: $fib's copy differs from the source"; exit 1; }
      echo "copy bench: $fib copy verified (bytes equal, SHA-256 matches sha256sum), allocated $(du -B1 "$work/out" | cut -f1) bytes"
    fi
  done
  run cp sh -c 'cp --sparse=always "$1" "$2" && sync' sh "$src" "$work/out"
  run qemu-img sh -c 'qemu-img convert -O qcow2 "$1" "$2" && sync' sh "$src" "$work/out"
  # What the integrity hash costs when it is a second pass instead of part of the copy.
  run cp+sha256sum sh -c 'cp --sparse=always "$1" "$2" && sync && sha256sum "$2"' sh "$src" "$work/out"
done

median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
echo
echo "copy bench: $rounds rounds, wall seconds per whole copy (process start to data on disk)$caches_note"
printf '%-13s %10s %10s %12s   %s\n' tool "median s" "MB/s" "median CPU s" "runs (wall s)"
declare -A med
for tool in "${fibackups[@]}" cp qemu-img cp+sha256sum; do
  med[$tool]=$(median "${times[$tool]}")
  mbps=$(echo "$file_bytes / ${med[$tool]} / 1000000" | bc -l)
  printf '%-13s %10.3f %10.1f %12.2f   %s\n' "$tool" "${med[$tool]}" "$mbps" "$(median "${cpu[$tool]}")" "${times[$tool]}"
done
for fib in "${fibackups[@]}"; do
  printf '%s inside its process (no .NET start-up): median %.3f s, runs %s\n' "$fib" "$(median "${inproc[$fib]}")" "${inproc[$fib]}"
  printf 'ratio %s/cp       %.2f\n' "$fib" "$(echo "${med[$fib]} / ${med[cp]}" | bc -l)"
  printf 'ratio %s/qemu-img %.2f\n' "$fib" "$(echo "${med[$fib]} / ${med[qemu-img]}" | bc -l)"
  printf 'ratio %s/(cp+sha256sum) %.2f\n' "$fib" "$(echo "${med[$fib]} / ${med[cp+sha256sum]}" | bc -l)"
done
[[ -n ${BENCH_BASELINE:-} ]] && printf 'ratio fibackup/baseline %.2f\n' "$(echo "${med[fibackup]} / ${med[baseline]}" | bc -l)"
echo "copy bench: load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "(MB/s = source file bytes / median wall seconds; a ratio < 1 means fibackup is faster;"
echo " CPU = user + system seconds of the tool's processes; fibackup's include SHA-256 of the copy and .NET start-up)"

# Part 2: is skipping zero blocks inside data extents worth it? A fully allocated 1 GiB raw image,
# 256 MiB random then 768 MiB of written zeros (a guest that zero-filled its free space).
echo
echo "copy bench: zero blocks — 1 GiB allocated raw image, 75% written zeros"
rm -f "$src"
zsrc=$work/zeros.raw
head -c 256M /dev/urandom >"$zsrc"
head -c 768M /dev/zero >>"$zsrc"
for round in $(seq 1 "$rounds"); do
  run skip-zeros "$work/bin/CopyBench" "$zsrc" "$work/out"
  skip_alloc=$(du -B1 "$work/out" | cut -f1)
  run keep-zeros "$work/bin/CopyBench" "$zsrc" "$work/out" --keep-zero-blocks
  keep_alloc=$(du -B1 "$work/out" | cut -f1)
done
printf '%-12s %10s %12s %16s\n' mode "median s" "median CPU s" "copy allocated"
printf '%-12s %10.3f %12.2f %16s\n' skip-zeros "$(median "${times[skip-zeros]}")" "$(median "${cpu[skip-zeros]}")" "$skip_alloc"
printf '%-12s %10.3f %12.2f %16s\n' keep-zeros "$(median "${times[keep-zeros]}")" "$(median "${cpu[keep-zeros]}")" "$keep_alloc"
