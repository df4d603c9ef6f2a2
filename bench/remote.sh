#!/usr/bin/env bash
# bench/remote.sh: backups over qemu+ssh measured side by side in one run (issue 9):
#   - full backup of a running TCG domain over qemu+ssh://root@127.0.0.1:PORT/system (data through
#     libvirt's sparse volume streams) vs the same over the local socket (qemu:///system, the local
#     sparse copier) vs `ssh … cat IMAGE > FILE` + sync of that same image through the same sshd;
#   - `virsh vol-download --sparse` of the image over the same qemu+ssh: libvirt's stream alone, the floor
#     for any copy through it;
#   - an incremental backup over each after the same guest writes (64 x 1 MiB).
# Two domains on byte-identical copies of one base image (so each full copies the same file): A is
# backed up over ssh, B locally. The sshd is the benchmark's own: host and client keys made per run,
# its own config and a free port on 127.0.0.1, never the machine's ssh configuration; libvirt runs ssh
# through a wrapper that passes this run's known_hosts (libvirt's ssh transport takes none).
# Prints a Markdown report on stdout (progress goes to stderr). Everything lives in a scratch directory
# under /var/tmp and domains named fibench-*; all of it, and the sshd, is removed on exit.
#
# Usage: sudo bench/remote.sh   (about 2.5 minutes on 2 loaded cores)
# Environment: BENCH_RUNS (3: repetitions of the full part, medians reported), BENCH_DISK_GIB (2),
#              BENCH_DATA_MIB (1024), BENCH_DIR (/var/tmp)
set -euo pipefail

root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
fibackup="$root/fibackup"
# shellcheck source=scripts/lib/tcg-domain.sh
source "$root/scripts/lib/tcg-domain.sh"
# shellcheck source=scripts/lib/bench.sh
source "$root/scripts/lib/bench.sh"
local_uri=qemu:///system
disk_gib=${BENCH_DISK_GIB:-2}
data_mib=${BENCH_DATA_MIB:-1024}
runs=${BENCH_RUNS:-3}
MiB=$((1024 * 1024))
disk_bytes=$((disk_gib * 1024 * MiB))

check_prerequisites "$local_uri" "qemu:///system, drop_caches, sshd" virsh qemu-img jq awk dd ssh ssh-keygen /usr/sbin/sshd

make_scratch
images="$scratch/images"
mkdir -m 755 "$images"
ssh_dir="$scratch/ssh"
mkdir -m 700 "$ssh_dir"
dom_a=fibench-$tag-ssh
dom_b=fibench-$tag-local
sshd_pid=
pool_made=

cleanup() {
  local status=$?
  remove_domains "$local_uri" "$dom_a" "$dom_b"
  [[ -z $pool_made ]] || virsh -q -c "$local_uri" pool-destroy "fibench-$tag" >/dev/null 2>&1 || true
  if [[ -n $sshd_pid ]]; then
    pkill -KILL -P "$sshd_pid" 2>/dev/null || true # this sshd's connections (its children) only
    kill "$sshd_pid" 2>/dev/null || true
    wait "$sshd_pid" 2>/dev/null || true
  fi
  rm -rf "$scratch"
  ((status == 0)) || echo "remote.sh: failed (exit $status); domains, sshd and $scratch removed" >&2
}
trap cleanup EXIT
trap 'exit 130' INT TERM

init_cache_mode
# After a drop, prepare_cache reads back in the .NET runtime with fibackup, and ssh, which the ssh
# cat and libvirt's qemu+ssh transport both start.
reload_tools() {
  "$fibackup" version >/dev/null
  ssh -V 2>/dev/null
}

# --- the benchmark's own sshd ---------------------------------------------------------------------
say "starting an sshd of its own on 127.0.0.1"
ssh-keygen -q -t ed25519 -N '' -C fibench-host -f "$ssh_dir/host_ed25519"
ssh-keygen -q -t ed25519 -N '' -C fibench-client -f "$ssh_dir/client_ed25519"
cp "$ssh_dir/client_ed25519.pub" "$ssh_dir/authorized_keys"
mkdir -p /run/sshd # sshd's privilege separation directory (the system service would make it)
port=
for _ in $(seq 20); do
  candidate=$((20000 + RANDOM % 40000))
  ss -Hltn "sport = :$candidate" | grep -q . || { port=$candidate; break; }
done
[[ -n $port ]] || { say "found no free port"; exit 1; }
cat >"$ssh_dir/sshd_config" <<EOF
Port $port
ListenAddress 127.0.0.1
HostKey $ssh_dir/host_ed25519
PidFile $ssh_dir/sshd.pid
AuthorizedKeysFile $ssh_dir/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PrintMotd no
EOF
echo "[127.0.0.1]:$port $(cat "$ssh_dir/host_ed25519.pub")" >"$ssh_dir/known_hosts"
cat >"$ssh_dir/ssh" <<EOF
#!/bin/sh
exec /usr/bin/ssh -F /dev/null -o UserKnownHostsFile=$ssh_dir/known_hosts -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes "\$@"
EOF
chmod 700 "$ssh_dir/ssh"
/usr/sbin/sshd -D -e -f "$ssh_dir/sshd_config" 2>"$ssh_dir/sshd.log" &
sshd_pid=$!
ssh_cmd=("$ssh_dir/ssh" -i "$ssh_dir/client_ed25519" -p "$port" -T -o BatchMode=yes root@127.0.0.1)
for _ in $(seq 100); do "${ssh_cmd[@]}" true 2>/dev/null && break; sleep 0.1; done
"${ssh_cmd[@]}" true || { cat "$ssh_dir/sshd.log" >&2; say "sshd on 127.0.0.1:$port does not answer"; exit 1; }
remote_uri="qemu+ssh://root@127.0.0.1:$port/system?keyfile=$ssh_dir/client_ed25519&command=$ssh_dir/ssh"
virsh -c "$remote_uri" version >/dev/null || { say "libvirt over $remote_uri does not answer"; exit 1; }
cipher=$("${ssh_cmd[@]}" -v true 2>&1 | sed -n 's/.*kex: server->client cipher: \([^ ]*\).*/\1/p' | head -1)

# --- images and domains ---------------------------------------------------------------------------
say "building fibackup (if needed)"
"$fibackup" version >/dev/null

base_a="$images/a.qcow2"
base_b="$images/b.qcow2"
make_random_image "$base_a" "$disk_gib" "$data_mib"
cp --sparse=always "$base_a" "$base_b"
base_bytes=$(allocated "$base_a")
base_length=$(stat -c %s "$base_a")
start_domain "$local_uri" "$dom_a" "$base_a"
start_domain "$local_uri" "$dom_b" "$base_b"

# Puts a domain back on its base image alone (shut down and undefined, fibackup's overlays of the
# previous full removed, defined and started again) and empties its repository, so every repetition copies the
# same standalone base image as the first one did. The guest wrote nothing between, so nothing is lost.
reset_domain() { # DOMAIN BASE REPO
  virsh -q -c "$local_uri" destroy "$1" >/dev/null
  virsh -q -c "$local_uri" undefine "$1" >/dev/null
  rm -f "$2".fib-*.qcow2
  virsh -q -c "$local_uri" define "$scratch/$1.xml" >/dev/null
  virsh -q -c "$local_uri" start "$1" >/dev/null
  rm -rf "$3"
}

# --- full, BENCH_RUNS times, the four commands interleaved -------------------------------------------
virsh -q -c "$remote_uri" pool-create-as "fibench-$tag" dir --target "$images" >/dev/null
pool_made=1
full_ssh_runs=() full_local_runs=() cat_runs=() download_runs=() r_cat=() r_download=() r_local=()
for ((run = 1; run <= runs; run++)); do
  if ((run > 1)); then
    reset_domain "$dom_a" "$base_a" "$scratch/repo-ssh"
    reset_domain "$dom_b" "$base_b" "$scratch/repo-local"
  fi
  # The bench's pool over the image directory is in the way of none of these: fibackup uses any
  # pool that covers the directory (here this one) and destroys only the ones it made.
  say "run $run/$runs: full over qemu+ssh (cache: $cache_mode)"
  prepare_cache "$base_a"
  timed_backup "$remote_uri" "$dom_a" "$scratch/repo-ssh" --mode full
  grep -q ': full restore point' <<<"$backup_output" || { say "expected a full backup: $backup_output"; exit 1; }
  full_ssh_runs+=("$backup_seconds")

  say "run $run/$runs: full over the local socket"
  prepare_cache "$base_b"
  timed_backup "$local_uri" "$dom_b" "$scratch/repo-local" --mode full
  full_local_runs+=("$backup_seconds")

  say "run $run/$runs: ssh cat of the same image + sync"
  prepare_cache "$base_a"
  t0=$(now)
  "${ssh_cmd[@]}" cat "$base_a" >"$scratch/cat.qcow2"
  sync "$scratch/cat.qcow2"
  cat_runs+=("$(elapsed "$t0" "$(now)")")
  cmp -s "$base_a" "$scratch/cat.qcow2" || { say "ssh cat copied different bytes"; exit 1; }
  rm -f "$scratch/cat.qcow2"

  say "run $run/$runs: virsh vol-download --sparse over the same qemu+ssh (libvirt's stream alone)"
  prepare_cache "$base_a"
  t0=$(now)
  virsh -q -c "$remote_uri" vol-download --sparse "$base_a" "$scratch/download.qcow2"
  sync "$scratch/download.qcow2"
  download_runs+=("$(elapsed "$t0" "$(now)")")
  cmp -s "$base_a" "$scratch/download.qcow2" || { say "virsh vol-download copied different bytes"; exit 1; }
  rm -f "$scratch/download.qcow2"

  r_cat+=("$(ratio "${full_ssh_runs[-1]}" "${cat_runs[-1]}")")
  r_download+=("$(ratio "${full_ssh_runs[-1]}" "${download_runs[-1]}")")
  r_local+=("$(ratio "${full_ssh_runs[-1]}" "${full_local_runs[-1]}")")
done
virsh -q -c "$local_uri" pool-destroy "fibench-$tag" >/dev/null
pool_made=
full_ssh=$(printf '%s\n' "${full_ssh_runs[@]}" | median)
full_local=$(printf '%s\n' "${full_local_runs[@]}" | median)
cat_s=$(printf '%s\n' "${cat_runs[@]}" | median)
download_s=$(printf '%s\n' "${download_runs[@]}" | median)
ratio_cat=$(printf '%s\n' "${r_cat[@]}" | median)
ratio_download=$(printf '%s\n' "${r_download[@]}" | median)
ratio_local=$(printf '%s\n' "${r_local[@]}" | median)

# --- incremental ----------------------------------------------------------------------------------
say "incremental after 64 x 1 MiB guest writes in each domain"
writes="$scratch/writes.txt"
RANDOM=7
: >"$writes"
for ((i = 0; i < 64; i++)); do echo "$((((RANDOM * 32768 + RANDOM) % (disk_bytes / MiB)) * MiB)) $MiB" >>"$writes"; done
tcg_guest_writes "$local_uri" "$dom_a" 0xab "$writes" || exit 1
tcg_guest_writes "$local_uri" "$dom_b" 0xab "$writes" || exit 1
prepare_cache "$base_a"
timed_backup "$remote_uri" "$dom_a" "$scratch/repo-ssh"
grep -q ': incremental restore point' <<<"$backup_output" || { say "expected an incremental: $backup_output"; exit 1; }
incr_ssh=$backup_seconds
incr_ssh_out=$backup_output
prepare_cache "$base_b"
timed_backup "$local_uri" "$dom_b" "$scratch/repo-local"
incr_local=$backup_seconds

# The two repositories must hold the same guest data: compare the newest points' top images.
newest() { # REPO DOMAIN
  local point
  point=$(last_point "$1" "$2")
  echo "$1/$(jq -r .host <<<"$point")/$2/$(jq -r '.disks[0].files[-1]' <<<"$point")"
}
qemu-img compare -q "$(newest "$scratch/repo-ssh" "$dom_a")" "$(newest "$scratch/repo-local" "$dom_b")" \
  || { say "the incrementals over ssh and local differ in content"; exit 1; }

# --- report ---------------------------------------------------------------------------------------
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
cat <<EOF
## Remote backups over qemu+ssh

Run $(date -u +%Y-%m-%dT%H:%MZ) (\`sudo bench/remote.sh\`), BENCH_RUNS=$runs. Machine: $(nproc) cores ($cpu), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM, $(findmnt -no FSTYPE -T "$scratch"); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg).
$(ssh -V 2>&1), cipher $cipher, sshd on 127.0.0.1 (the host is this machine, reached through ssh). $("$fibackup" version | paste -sd ' ')
Page cache: $([[ $cache_mode == dropped ]] && echo "dropped before each command" || echo "could NOT be dropped: the source image was read into the cache before each command instead").
Image: ${disk_gib} GiB qcow2, file length $(mib "$base_length") MiB, $(mib "$base_bytes") MiB allocated (random data).

| command | seconds (median) | MB/s (allocated bytes / s) | over qemu+ssh / this (median of per-run ratios) |
| --- | ---: | ---: | ---: |
| \`fibackup backup --mode full\` over qemu+ssh (whole command: start-up, snapshot, stream copy + SHA-256, fsync, manifest, commit) | $full_ssh | $(mbps "$base_bytes" "$full_ssh") | 1.00 |
| \`fibackup backup --mode full\` over qemu:///system (local sparse copier) | $full_local | $(mbps "$base_bytes" "$full_local") | $ratio_local |
| \`ssh … cat IMAGE > FILE\` + \`sync FILE\` (same sshd) | $cat_s | $(mbps "$base_bytes" "$cat_s") | $ratio_cat |
| \`virsh vol-download --sparse\` over the same qemu+ssh + \`sync FILE\` (libvirt's stream, no hashing) | $download_s | $(mbps "$base_bytes" "$download_s") | $ratio_download |
| incremental \`fibackup backup\` over qemu+ssh (64 x 1 MiB written) | $incr_ssh | | 1.00 |
| incremental \`fibackup backup\` over qemu:///system (same writes) | $incr_local | | $(ratio "$incr_ssh" "$incr_local") |

Runs (s): over ssh ${full_ssh_runs[*]}; local ${full_local_runs[*]}; ssh cat ${cat_runs[*]}; virsh vol-download ${download_runs[*]}.
Goal: full over qemu+ssh ≤ 1.3 × ssh cat; measured $ratio_cat × (median); libvirt's stream alone (virsh) is $(ratio "$download_s" "$cat_s") × ssh cat.
Incremental over ssh printed: $(tail -1 <<<"$incr_ssh_out" | sed 's/^ *//')
EOF
