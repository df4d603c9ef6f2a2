#!/usr/bin/env bash
# bench/engine.sh: the backup engine measured against the obvious alternatives, side by side on the
# same images in one run (issue 3). Prints a Markdown report on stdout (progress goes to stderr):
#   1. full backup: `fibackup backup` of a running TCG domain (snapshot + copy of the 2 GiB base
#      image holding ~1 GiB of random data) vs `cp --sparse=always` + sync and
#      `qemu-img convert -O qcow2` + sync of that same base file; page cache dropped before each.
#   2. incremental size: bytes an incremental copies vs bytes the guest wrote (guest writes made
#      with qemu-io inside the domain's QEMU through the HMP monitor); 1 MiB writes, then 4 KiB writes,
#      the same writes into a second domain backed up with `--technique bitmap`, side by side.
#   3. snapshot stun time: fibackup's "snapshot N ms" over several incremental backups, next to
#      `virsh snapshot-create-as --disk-only --no-metadata --atomic` on a second domain, interleaved.
# Self-contained: everything lives in a scratch directory under /var/tmp and domains named
# fibench-*; both are removed on exit, also on failure or Ctrl-C. Needs root (libvirt
# qemu:///system, drop_caches), qemu-img, qemu-io-capable QEMU, virsh, jq; ./fibackup builds itself.
#
# Usage: sudo bench/engine.sh   (about 1.5 minutes on 2 loaded cores; each extra BENCH_RUNS adds ~15 s)
# Environment: BENCH_RUNS (1: runs of part 1, medians reported), BENCH_DISK_GIB (2), BENCH_DATA_MIB (1024),
#              BENCH_SNAPSHOTS (10), BENCH_DIR (/var/tmp)
set -euo pipefail

root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
fibackup="$root/fibackup"
# shellcheck source=scripts/lib/tcg-domain.sh
source "$root/scripts/lib/tcg-domain.sh"
# shellcheck source=scripts/lib/bench.sh
source "$root/scripts/lib/bench.sh"
uri=qemu:///system
disk_gib=${BENCH_DISK_GIB:-2}
data_mib=${BENCH_DATA_MIB:-1024}
snapshots=${BENCH_SNAPSHOTS:-10}
runs=${BENCH_RUNS:-1}
MiB=$((1024 * 1024))
disk_bytes=$((disk_gib * 1024 * MiB))

check_prerequisites "$uri" "qemu:///system, drop_caches" virsh qemu-img jq awk dd

make_scratch
dom_a=fibench-$tag-a
dom_b=fibench-$tag-b
dom_c=fibench-$tag-c
repo="$scratch/repo"

cleanup() {
  local status=$?
  remove_domains "$uri" "$dom_a" "$dom_b" "$dom_c"
  rm -rf "$scratch"
  ((status == 0)) || echo "engine.sh: failed (exit $status); domains and $scratch removed" >&2
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- page cache: drop it before each timed copy, or (if refused) warm it for all alike ----------
init_cache_mode
# After a drop, prepare_cache reads back in what part 1 times: the .NET runtime and fibackup, and
# the binaries of qemu-img and cp.
reload_tools() {
  "$fibackup" version >/dev/null
  qemu-img --version >/dev/null
  cp --version >/dev/null
}

guest_writes() { # domain pattern file-of-"offset length"-lines
  tcg_guest_writes "$uri" "$@" || exit 1
}

# Bytes the writes in a list cover: the union of the ranges, and the same rounded out to 64 KiB
# qcow2 clusters (what a copy of whole clusters cannot go below).
unique_bytes() { # file cluster-size
  sort -n -k1,1 "$1" | awk -v c="$2" '
    { s = $1; e = $1 + $2
      if (NR > 1 && s <= ce) { if (e > ce) ce = e } else { if (NR > 1) total += ce - cs; cs = s; ce = e }
      for (k = int(s / c); k * c < e; k++) cl[k] = 1 }
    END { total += ce - cs; n = 0; for (k in cl) n++; print total, n * c }'
}

# Runs `fibackup backup` of domain A; sets backup_seconds, backup_output, snapshot_ms.
run_backup() {
  timed_backup "$uri" "$dom_a" "$repo" "$@"
  snapshot_ms=$(sed -n 's/.*, snapshot \([0-9]*\) ms$/\1/p' <<<"$backup_output" | head -1)
  [[ -n $snapshot_ms ]] || { say "no 'snapshot N ms' in: $backup_output"; exit 1; }
}

# The bitmap technique's domain C: a backup of it; sets bitmap_point (the new point's list entry),
# bitmap_listed (its bytes) and bitmap_alloc (its file's allocated bytes).
bitmap_repo="$scratch/repo-bitmap"
run_bitmap_backup() {
  timed_backup "$uri" "$dom_c" "$bitmap_repo" --technique bitmap
  bitmap_point=$(last_point "$bitmap_repo" "$dom_c")
  bitmap_listed=$(jq '.disks[0].bytes' <<<"$bitmap_point")
  bitmap_alloc=$(allocated "$bitmap_repo/$(jq -r .host <<<"$bitmap_point")/$dom_c/$(jq -r '.disks[0].files[-1]' <<<"$bitmap_point")")
}

# ------------------------------------------------------------------------------------------------
say "building fibackup (if needed)"
"$fibackup" version >/dev/null

base="$scratch/vda.qcow2"
make_random_image "$base" "$disk_gib" "$data_mib"
base_bytes=$(allocated "$base")
start_domain "$uri" "$dom_a" "$base"

# --- 1. full backup vs cp vs qemu-img ------------------------------------------------------------
# Each run: fibackup, cp, qemu-img in turn, page cache dropped before each. Before a repeated run
# the domain is moved back onto its base image alone (`fibackup consolidate --allow-base-write`), so
# every full copies the same standalone base image, as the first one did.
startup_t0=$(now); "$fibackup" version >/dev/null; startup_s=$(elapsed "$startup_t0" "$(now)")
full_runs=() cp_runs=() qi_runs=() r_cp=() r_qi=() full_snaps=()
for ((run = 1; run <= runs; run++)); do
  if ((run > 1)); then
    "$fibackup" consolidate -c "$uri" -d "$dom_a" --allow-base-write >/dev/null 2>"$scratch/consolidate.err" \
      || { cat "$scratch/consolidate.err" >&2; exit 1; }
  fi
  active=$(virsh -q -c "$uri" domblklist "$dom_a" | awk '$1 == "vda" { print $2 }')
  [[ $active == "$base" ]] || { say "run $run: vda runs on $active, not on the base image alone"; exit 1; }

  say "1. run $run/$runs: fibackup backup --mode full (cache: $cache_mode)"
  prepare_cache "$base"
  run_backup --mode full
  grep -q ': full restore point' <<<"$backup_output" || { say "expected a full backup: $backup_output"; exit 1; }
  full_runs+=("$backup_seconds"); full_snaps+=("$snapshot_ms")

  say "1. run $run/$runs: cp --sparse=always + sync"
  prepare_cache "$base"
  t0=$(now)
  cp --sparse=always "$base" "$scratch/cp.qcow2"
  sync "$scratch/cp.qcow2"
  cp_runs+=("$(elapsed "$t0" "$(now)")")
  rm -f "$scratch/cp.qcow2"

  say "1. run $run/$runs: qemu-img convert -O qcow2 + sync"
  prepare_cache "$base"
  t0=$(now)
  qemu-img convert -U -f qcow2 -O qcow2 "$base" "$scratch/convert.qcow2"
  sync "$scratch/convert.qcow2"
  qi_runs+=("$(elapsed "$t0" "$(now)")")
  qi_bytes=$(allocated "$scratch/convert.qcow2")
  rm -f "$scratch/convert.qcow2"

  r_cp+=("$(ratio "${full_runs[-1]}" "${cp_runs[-1]}")"); r_qi+=("$(ratio "${full_runs[-1]}" "${qi_runs[-1]}")")
done
full_s=$(printf '%s\n' "${full_runs[@]}" | median)
cp_s=$(printf '%s\n' "${cp_runs[@]}" | median)
qi_s=$(printf '%s\n' "${qi_runs[@]}" | median)
ratio_cp=$(printf '%s\n' "${r_cp[@]}" | median)
ratio_qi=$(printf '%s\n' "${r_qi[@]}" | median)
full_point=$(last_point "$repo" "$dom_a")
full_host=$(jq -r .host <<<"$full_point")
full_copied=$(allocated "$repo/$full_host/$dom_a/$(jq -r '.disks[0].files[-1]' <<<"$full_point")")

# --- 1b. a full of a domain already backed up: flattened ----------------------------------------
# After a backup the disk runs on fibackup's overlay above its base, so a later full (a periodic one,
# or into a second repository) reads the chain through and writes one standalone file (qemu-img
# convert, then fibackup's SHA-256 of the written file). Compared with qemu-img convert of that same
# frozen chain + sync.
flat_runs=() flat_qi_runs=() r_flat=()
for ((run = 1; run <= runs; run++)); do
  # The chain is converted first: the backup's consolidation may commit the frozen image away.
  frozen=$(virsh -q -c "$uri" domblklist "$dom_a" | awk '$1 == "vda" { print $2 }')
  say "1b. run $run/$runs: qemu-img convert -O qcow2 of the chain under ${frozen##*/} + sync"
  prepare_cache "$base"
  t0=$(now)
  qemu-img convert -U -O qcow2 "$frozen" "$scratch/convert-flat.qcow2"
  sync "$scratch/convert-flat.qcow2"
  flat_qi_runs+=("$(elapsed "$t0" "$(now)")")
  rm -f "$scratch/convert-flat.qcow2"
  say "1b. run $run/$runs: fibackup backup --mode full of $dom_a on that same chain (flattened)"
  prepare_cache "$base"
  run_backup --mode full
  grep -q ': full restore point' <<<"$backup_output" || { say "expected a full backup: $backup_output"; exit 1; }
  flat_runs+=("$backup_seconds")
  r_flat+=("$(ratio "${flat_runs[-1]}" "${flat_qi_runs[-1]}")")
done
flat_s=$(printf '%s\n' "${flat_runs[@]}" | median)
flat_qi_s=$(printf '%s\n' "${flat_qi_runs[@]}" | median)
ratio_flat=$(printf '%s\n' "${r_flat[@]}" | median)

# --- 2. incremental: copied vs written ---------------------------------------------------------
# Domain C gets the same writes as A and is backed up with the bitmap technique (its own, empty disk
# of the same size: what an incremental stores depends on the writes, not on the data below them).
say "2. domain C (technique bitmap): full backup"
qemu-img create -q -f qcow2 "$scratch/c.qcow2" "$disk_bytes"
start_domain "$uri" "$dom_c" "$scratch/c.qcow2"
run_bitmap_backup
grep -q ': full restore point' <<<"$backup_output" || { say "expected a full bitmap backup: $backup_output"; exit 1; }

# 1 MiB writes: 48 at distinct 1 MiB-aligned offsets, then 8 over the same areas again and 8 half
# over them (shifted by 512 KiB): 64 MiB written, fewer unique bytes.
say "2. incremental after 64 x 1 MiB guest writes"
big="$scratch/writes-1m.txt"
RANDOM=7
slots=$((disk_bytes / MiB))
declare -A used=()
offsets=()
while ((${#offsets[@]} < 48)); do
  s=$(((RANDOM * 32768 + RANDOM) % slots))
  [[ -n ${used[$s]:-} ]] && continue
  used[$s]=1; offsets+=("$s")
done
: >"$big"
for s in "${offsets[@]}"; do echo "$((s * MiB)) $MiB" >>"$big"; done
for ((i = 0; i < 8; i++)); do echo "$((offsets[i * 2] * MiB)) $MiB" >>"$big"; done
for ((i = 0; i < 8; i++)); do
  s=${offsets[i * 2 + 1]}
  ((s + 1 < slots)) || s=$((s - 1))
  echo "$((s * MiB + MiB / 2)) $MiB" >>"$big"
done
guest_writes "$dom_a" 0xab "$big"
read -r big_unique big_clusters < <(unique_bytes "$big" 65536)
big_written=$(awk '{ n += $2 } END { print n }' "$big")
run_backup
grep -q ': incremental restore point' <<<"$backup_output" || { say "expected an incremental: $backup_output"; exit 1; }
point=$(last_point "$repo" "$dom_a")
big_listed=$(jq '.disks[0].bytes' <<<"$point")
big_alloc=$(allocated "$repo/$full_host/$dom_a/$(jq -r '.disks[0].files[-1]' <<<"$point")")
big_cli=$(sed -n 's/.* \([0-9.]* [KMGT]*i*B\) stored (file .*)$/\1/p' <<<"$backup_output" | head -1)
guest_writes "$dom_c" 0xab "$big"
run_bitmap_backup
grep -q ': incremental restore point' <<<"$backup_output" || { say "expected a bitmap incremental: $backup_output"; exit 1; }
big_bm_listed=$bitmap_listed big_bm_alloc=$bitmap_alloc

# 4 KiB writes at random 4 KiB-aligned offsets: each lands in its own 64 KiB cluster (almost surely).
say "2. incremental after 256 x 4 KiB guest writes"
small="$scratch/writes-4k.txt"
RANDOM=11
: >"$small"
for ((i = 0; i < 256; i++)); do echo "$((((RANDOM * 32768 + RANDOM) % (disk_bytes / 4096)) * 4096)) 4096" >>"$small"; done
guest_writes "$dom_a" 0xcd "$small"
read -r small_unique small_clusters < <(unique_bytes "$small" 65536)
small_written=$(awk '{ n += $2 } END { print n }' "$small")
run_backup
point=$(last_point "$repo" "$dom_a")
small_listed=$(jq '.disks[0].bytes' <<<"$point")
small_alloc=$(allocated "$repo/$full_host/$dom_a/$(jq -r '.disks[0].files[-1]' <<<"$point")")
small_cli=$(sed -n 's/.* \([0-9.]* [KMGT]*i*B\) stored (file .*)$/\1/p' <<<"$backup_output" | head -1)
guest_writes "$dom_c" 0xcd "$small"
run_bitmap_backup
grep -q ': incremental restore point' <<<"$backup_output" || { say "expected a bitmap incremental: $backup_output"; exit 1; }
small_bm_listed=$bitmap_listed small_bm_alloc=$bitmap_alloc
overlay_cluster=$(qemu-img info -U --output=json "$repo/$full_host/$dom_a/$(jq -r '.disks[0].files[-1]' <<<"$point")" | jq '."cluster-size"')
overlay_subclusters=$(qemu-img info -U --output=json "$repo/$full_host/$dom_a/$(jq -r '.disks[0].files[-1]' <<<"$point")" \
  | jq -r '."format-specific".data."extended-l2" // false')

# --- 3. snapshot stun time ----------------------------------------------------------------------
say "3. snapshot stun time: $snapshots backups of $dom_a interleaved with virsh snapshots of $dom_b"
qemu-img create -q -f qcow2 "$scratch/b.qcow2" "$disk_bytes"
start_domain "$uri" "$dom_b" "$scratch/b.qcow2"
one="$scratch/writes-stun.txt"
fib_ms=() virsh_ms=() fib_total=()
for ((i = 1; i <= snapshots; i++)); do
  echo "$(((i * 97 % slots) * MiB)) $MiB" >"$one" # 1 MiB of fresh data in both, so each snapshot has something to flush
  guest_writes "$dom_a" 0x3c "$one"
  guest_writes "$dom_b" 0x3c "$one"
  run_backup
  fib_ms+=("$snapshot_ms"); fib_total+=("$backup_seconds")
  out=$(virsh -t -c "$uri" snapshot-create-as "$dom_b" --name "s$i" --disk-only --no-metadata --atomic \
    --diskspec "vda,file=$scratch/b.s$i.qcow2" 2>&1) || { echo "$out" >&2; exit 1; }
  virsh_ms+=("$(sed -n 's/.*(Time: \([0-9.]*\) ms).*/\1/p' <<<"$out" | head -1 | awk '{ printf "%.0f", $1 }')")
done
fib_median=$(printf '%s\n' "${fib_ms[@]}" | median)
virsh_median=$(printf '%s\n' "${virsh_ms[@]}" | median)
fib_total_median=$(printf '%s\n' "${fib_total[@]}" | median)

# --- report ------------------------------------------------------------------------------------
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
cat <<EOF
## Backup engine

Run $(date -u +%Y-%m-%dT%H:%MZ), BENCH_RUNS=$runs. Machine: $(nproc) cores ($cpu), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM, $(findmnt -no FSTYPE -T "$scratch") on $(findmnt -no SOURCE -T "$scratch"); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg).
qemu-img $(qemu-img --version | sed -n 's/^qemu-img version \([^ ]*\).*/\1/p'), $("$fibackup" version | paste -sd ' ')
Page cache: $([[ $cache_mode == dropped ]] && echo "dropped before each copy (then the tools' binaries reloaded)" || echo "could NOT be dropped (drop_caches refused): the source image was read into the cache before each copy instead")

### 1. Full backup of a ${disk_gib} GiB qcow2 holding $(mib "$base_bytes") MiB (random data), $runs run(s) each, interleaved

| command | seconds (median) | MB/s | fibackup / this (median of per-run ratios) |
| --- | ---: | ---: | ---: |
| \`fibackup backup --mode full\` (whole command: start-up, snapshot, copy + SHA-256, fsync, manifest) | $full_s | $(mbps "$base_bytes" "$full_s") | 1.00 |
| \`cp --sparse=always\` + \`sync FILE\` | $cp_s | $(mbps "$base_bytes" "$cp_s") | $ratio_cp |
| \`qemu-img convert -O qcow2\` + \`sync FILE\` | $qi_s | $(mbps "$base_bytes" "$qi_s") | $ratio_qi |

Runs (s): fibackup ${full_runs[*]}; cp ${cp_runs[*]}; qemu-img ${qi_runs[*]}. fibackup's snapshot step in these runs (ms): ${full_snaps[*]}.
MB/s = allocated bytes of the base image ($base_bytes) / seconds. fibackup wrote $(mib "$full_copied") MiB, qemu-img $(mib "$qi_bytes") MiB.
fibackup start-up alone (\`fibackup version\`, warm): ${startup_s} s.

### 1b. Full backup of the same domain, now on fibackup's overlay (a flattened full), $runs run(s) each, interleaved

| command | seconds (median) | fibackup / this (median of per-run ratios) |
| --- | ---: | ---: |
| \`fibackup backup --mode full\` (reads the chain through: qemu-img convert, then SHA-256 + fsync side by side) | $flat_s | 1.00 |
| \`qemu-img convert -O qcow2\` of the same frozen chain + \`sync FILE\` | $flat_qi_s | $ratio_flat |

Runs (s): fibackup ${flat_runs[*]}; qemu-img ${flat_qi_runs[*]}.

### 2. Incremental size: bytes copied vs bytes the guest wrote

| technique | guest writes | written | unique | unique, in 64 KiB clusters | \`bytes\` in \`fibackup list\` | allocated in repository (= data copied) | list bytes / unique | allocated / unique |
| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
| snapshot | 64 x 1 MiB (8 repeated, 8 half-overlapping) | $(mib "$big_written") MiB | $(mib "$big_unique") MiB | $(mib "$big_clusters") MiB | $(mib "$big_listed") MiB | $(mib "$big_alloc") MiB | $(ratio "$big_listed" "$big_unique") | $(ratio "$big_alloc" "$big_unique") |
| bitmap | 64 x 1 MiB (the same writes) | $(mib "$big_written") MiB | $(mib "$big_unique") MiB | $(mib "$big_clusters") MiB | $(mib "$big_bm_listed") MiB | $(mib "$big_bm_alloc") MiB | $(ratio "$big_bm_listed" "$big_unique") | $(ratio "$big_bm_alloc" "$big_unique") |
| snapshot | 256 x 4 KiB, random 4 KiB-aligned | $(mib "$small_written") MiB | $(mib "$small_unique") MiB | $(mib "$small_clusters") MiB | $(mib "$small_listed") MiB | $(mib "$small_alloc") MiB | $(ratio "$small_listed" "$small_unique") | $(ratio "$small_alloc" "$small_unique") |
| bitmap | 256 x 4 KiB (the same writes) | $(mib "$small_written") MiB | $(mib "$small_unique") MiB | $(mib "$small_clusters") MiB | $(mib "$small_bm_listed") MiB | $(mib "$small_bm_alloc") MiB | $(ratio "$small_bm_listed" "$small_unique") | $(ratio "$small_bm_alloc" "$small_unique") |

fibackup printed "$big_cli stored" and "$small_cli stored". Overlay cluster size: $overlay_cluster bytes, subclusters (extended_l2): $overlay_subclusters.

### 3. Snapshot stun time, $snapshots runs each, interleaved

| call | median ms | all runs (ms) |
| --- | ---: | --- |
| fibackup's snapshot step (\`snapshot N ms\` of \`fibackup backup\`) | $fib_median | ${fib_ms[*]} |
| \`virsh -t snapshot-create-as --disk-only --no-metadata --atomic\` (second domain) | $virsh_median | ${virsh_ms[*]} |

Whole incremental \`fibackup backup\` (1 MiB changed, commit consolidation), median: ${fib_total_median} s.
EOF
