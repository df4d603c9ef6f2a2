# shellcheck shell=bash
# Throwaway TCG domains for the demo and the benchmarks (sourced, not run): one qcow2 disk vda, no
# guest OS, and guest writes made by qemu-io inside the domain's QEMU. Needs virsh; callers set -e.

# The domain XML: 64 MiB, one vCPU, TCG, vda on IMAGE (qcow2) over virtio.
tcg_domain_xml() { # NAME IMAGE
  cat <<XML
<domain type='qemu'>
  <name>$1</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <on_reboot>destroy</on_reboot>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='$2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <memballoon model='none'/>
  </devices>
</domain>
XML
}

# Guest writes into vda of a running domain: qemu-io through the disk's block backend (the HMP
# monitor), i.e. to the top of the live chain, as the guest's own writes would go. One virsh process
# runs the whole list; qemu-io prints "wrote N/N bytes" into the domain's log, which is waited for
# (10 s at most). Then a flush. Offsets and lengths pass through as text: mawk's %d stops at
# 2^31 - 1, which put every write past 2 GiB at that one offset. Prints what went wrong and
# returns 1 when a write is not confirmed.
tcg_guest_writes() { # URI DOMAIN PATTERN FILE-OF-"OFFSET LENGTH"-LINES
  local uri=$1 dom=$2 pattern=$3 list=$4 log="/var/log/libvirt/qemu/$2.log" out before count expected
  out=$(mktemp)
  before=$(grep -c '^wrote ' "$log" || true)
  awk -v d="$dom" -v p="$pattern" '{ printf "qemu-monitor-command %s --hmp '\''qemu-io -d /machine/peripheral/virtio-disk0/virtio-backend \"write -P %s %s %s\"'\''\n", d, p, $1, $2 }' \
    "$list" | virsh -q -c "$uri" >"$out"
  expected=$(($(wc -l <"$list") + before))
  for _ in $(seq 100); do
    count=$(grep -c '^wrote ' "$log" || true)
    ((count >= expected)) && break
    sleep 0.1
  done
  if ((count < expected)) || grep -q 'failed' "$out"; then
    echo "guest writes on $dom: $((count - before)) of $(wc -l <"$list") confirmed in $log" >&2
    cat "$out" >&2
    rm -f "$out"
    return 1
  fi
  rm -f "$out"
  virsh -q -c "$uri" qemu-monitor-command "$dom" --hmp 'qemu-io -d /machine/peripheral/virtio-disk0/virtio-backend "flush"' >/dev/null
}
