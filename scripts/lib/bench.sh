# shellcheck shell=bash
# What the benchmarks bench/engine.sh and bench/remote.sh share (sourced, not run): number
# formatting, the page-cache state before each timed command, the random-data base image, throwaway
# domains and a timed `fibackup backup`. Callers set -euo pipefail, source tcg-domain.sh, set
# fibackup (the ./fibackup path), call make_scratch before the rest, and define reload_tools for
# prepare_cache.
# bench/copy.sh measures the copier alone and keeps its own, differently shaped helpers.

# Sets tag (6 random characters naming this run's domains and scratch directory, so runs side by side
# never collide) and scratch, a fresh directory under BENCH_DIR (default /var/tmp).
make_scratch() {
  tag=$(tr -dc 'a-z0-9' </dev/urandom | head -c 6 || true)
  scratch=$(mktemp -d "${BENCH_DIR:-/var/tmp}/fibackup-bench.$tag.XXXX")
  chmod 755 "$scratch" # QEMU runs as libvirt-qemu and must reach the images
}

# Progress and errors go to stderr, prefixed with the script's name, so stdout stays the report.
say() { echo "${0##*/}: $*" >&2; }

# Stops with a hint before anything is made: each TOOL on PATH, root (WHY says what needs it), and
# libvirtd answering at URI.
check_prerequisites() { # URI WHY TOOL...
  local uri=$1 why=$2 tool
  shift 2
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { say "$tool is missing (run scripts/setup.sh)"; exit 1; }
  done
  ((EUID == 0)) || { say "run as root ($why)"; exit 1; }
  virsh -c "$uri" version >/dev/null 2>&1 || { say "libvirtd is not reachable at $uri (run scripts/setup.sh)"; exit 1; }
}

# Wall-clock seconds as a decimal; awk does the arithmetic bash cannot.
now() { echo "$EPOCHREALTIME"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; } # T0 T1
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
mbps() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / 1e6 / s }'; } # BYTES SECONDS
mib() { awk -v n="$1" 'BEGIN { printf "%.2f", n / 1048576 }'; }
# Bytes a file really occupies (blocks, not length): what a sparse copy has to move.
allocated() { stat -c '%b %B' "$1" | awk '{ print $1 * $2 }'; }
# Median of numbers on stdin, one a line; the mean of the middle two for an even count.
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Sets cache_mode: "dropped" when this kernel lets us drop the page cache, else "warm" (a container
# or a refused sysctl), and then prepare_cache warms it instead, so all commands still start alike.
init_cache_mode() {
  cache_mode=dropped
  if ! (sync && echo 3 >/proc/sys/vm/drop_caches) 2>/dev/null; then cache_mode=warm; fi
}

# Puts the page cache in the same state before each timed command: empty, then the caller's
# reload_tools (a function it defines) reads the timed tools' binaries back in, so a cold start is
# not billed to the copy; or, when dropping is refused, holding the whole source image.
prepare_cache() { # IMAGE
  sync
  if [[ $cache_mode == dropped ]]; then
    echo 3 >/proc/sys/vm/drop_caches
    reload_tools
  else
    cat "$1" >/dev/null
  fi
}

# A qcow2 of DISK_GIB GiB holding DATA_MIB MiB of random data in 16 MiB chunks, one per stride at a
# random offset within it, so the data is scattered like a used disk's and not one compressible run.
# Seeded (RANDOM=3), so every run and every script lays out the same offsets. Built as raw with dd,
# then converted, which leaves the unwritten parts unallocated in the qcow2.
make_random_image() { # IMAGE DISK_GIB DATA_MIB
  local image=$1 disk_gib=$2 data_mib=$3 chunk_mib=16 chunks stride_mib slack seek i raw="$scratch/data.raw"
  say "making a ${disk_gib} GiB qcow2 with ${data_mib} MiB of random data at scattered offsets"
  chunks=$((data_mib / chunk_mib))
  stride_mib=$((disk_gib * 1024 / chunks))
  ((stride_mib >= chunk_mib)) || { say "BENCH_DATA_MIB must not exceed the disk size"; exit 1; }
  truncate -s "$((disk_gib * 1024 * 1024 * 1024))" "$raw"
  RANDOM=3
  for ((i = 0; i < chunks; i++)); do
    slack=$((stride_mib - chunk_mib))
    seek=$((i * stride_mib + (slack > 0 ? RANDOM % (slack + 1) : 0)))
    dd if=/dev/urandom of="$raw" bs=1M count=$chunk_mib seek=$seek conv=notrunc status=none
  done
  qemu-img convert -f raw -O qcow2 "$raw" "$image"
  rm -f "$raw"
}

# Defines and starts a TCG domain on IMAGE. Its XML stays in $scratch/NAME.xml, so a caller can
# define the domain again from it after undefining.
start_domain() { # URI NAME IMAGE
  tcg_domain_xml "$2" "$3" >"$scratch/$2.xml"
  virsh -q -c "$1" define "$scratch/$2.xml" >/dev/null
  virsh -q -c "$1" start "$2" >/dev/null
}

# For the EXIT trap: destroys and undefines the run's domains and removes their QEMU logs (which
# libvirt keeps after undefine). Quiet and never failing, since the run may have stopped before
# any of them existed.
remove_domains() { # URI DOMAIN...
  local uri=$1 dom
  shift
  for dom in "$@"; do
    virsh -q -c "$uri" destroy "$dom" >/dev/null 2>&1 || true
    virsh -q -c "$uri" undefine "$dom" >/dev/null 2>&1 || true
    rm -f "/var/log/libvirt/qemu/$dom.log"
  done
}

# Runs `fibackup backup` and times the whole command (start-up included, as a user waits for it);
# sets backup_seconds and backup_output. On failure shows fibackup's stderr and exits.
# shellcheck disable=SC2034,SC2154 # backup_* are for the caller; fibackup is the caller's
timed_backup() { # URI DOMAIN REPO ARGS...
  local uri=$1 dom=$2 repo=$3 t0 t1
  shift 3
  t0=$(now)
  backup_output=$("$fibackup" backup -c "$uri" -d "$dom" -r "$repo" "$@" 2>"$scratch/backup.err") \
    || { cat "$scratch/backup.err" >&2; exit 1; }
  t1=$(now)
  backup_seconds=$(elapsed "$t0" "$t1")
}

# The newest restore point of DOMAIN in REPO, as `fibackup list --output json` reports it.
last_point() { "$fibackup" list --repository "$1" --domain "$2" --output json | jq -c 'sort_by(.id) | last'; } # REPO DOMAIN
