#!/usr/bin/env bash
# The one-command demo: prepares the machine (scripts/setup.sh), builds fibackup, starts the local
# Kubernetes API server (scripts/kube-api.sh), installs the chart into it with Helm and runs the
# operator as a local process with the token of the chart's ServiceAccount (so the chart's RBAC
# rules are enforced), makes a throwaway TCG domain on the real libvirtd, applies the examples/
# (a policy, a manual VmBackup, later a VmRestore), writes in the guest, backs up again with the
# fibackup.io/run-now annotation, restores the FIRST point as a new domain and checks that the
# restored disk holds exactly what the guest had then. Everything it made is removed on exit,
# also after a failure or Ctrl-C. Exits non-zero when a step fails. About 1 minute on 2 cores with
# the build (plus the Debian packages on a first run).
#   scripts/demo.sh [--keep]     --keep: leave everything running at the end (Ctrl-C cleans up)
set -Eeuo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
# shellcheck source=scripts/lib/tcg-domain.sh
source scripts/lib/tcg-domain.sh

keep=false
for arg in "$@"; do
  case $arg in
    --keep) keep=true ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "demo: unknown argument $arg (try --help)" >&2; exit 2 ;;
  esac
done

say() { printf 'demo: %s\n' "$*"; }
step() { printf '\ndemo: == [%3d s] %s\n' "$SECONDS" "$*"; }
fail() { printf 'demo: FAILED: %s\n' "$*" >&2; exit 1; }

ns=vm-backups
release=fibackup
uri=qemu:///system
MiB=$((1024 * 1024))
helm="$repo/tools/helm/helm"

# --- clean-up: runs once on any exit (success, failure, Ctrl-C, SIGTERM) ---
work="" api_pid="" operator_pid="" domains=()
show_logs_on_failure() {
  for log in "$work/operator.log" "$work/kube-api.log"; do
    [[ -s $log ]] || continue
    echo "demo: --- last lines of $log" >&2
    tail -n 25 "$log" >&2
  done
}
stop_process() { # PID NAME: SIGTERM to its process group, SIGKILL after 15 s
  local pid=$1 name=$2
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || { say "stopped $name"; return 0; }; sleep 0.5; done
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  say "killed $name (did not stop within 15 s)"
}
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if ((status != 0)) && [[ -n $work ]]; then show_logs_on_failure; fi
  step "cleaning up"
  stop_process "$operator_pid" "the operator"
  for d in "${domains[@]}"; do
    if virsh -c "$uri" dominfo "$d" >/dev/null 2>&1; then
      virsh -c "$uri" destroy "$d" >/dev/null 2>&1 || true
      virsh -c "$uri" undefine "$d" >/dev/null 2>&1 || true
      say "removed domain $d"
    fi
    rm -f "/var/log/libvirt/qemu/$d.log"
  done
  stop_process "$api_pid" "the local API server"
  [[ -n $work && -d $work ]] && rm -rf "$work" && say "removed $work"
  if ((status == 0)); then say "done"; else say "the demo failed (exit $status)"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'say "step failed at line $LINENO: $BASH_COMMAND" >&2' ERR

step "preparing the machine (scripts/setup.sh)"
scripts/setup.sh

# Under /var/tmp, world-traversable: libvirt runs QEMU as libvirt-qemu, which must reach the images.
work=$(mktemp -d /var/tmp/fibackup-demo.XXXXXX)
chmod 0755 "$work"
mkdir -p "$work/images" "$work/claims/$ns/vm-backups" "$work/locks" "$work/manifests"
export KUBECONFIG="$work/kubeconfig"
# Domain locks of this demo's operator stay in the demo's directory, not the host's /run/lock/fibackup.
export FIBACKUP_LOCK_DIR="$work/locks"

step "building fibackup (./fibackup builds it on first use and when sources changed)"
./fibackup version

step "starting the local Kubernetes API server (scripts/kube-api.sh)"
# setsid: its own process group, so Ctrl-C reaches only this script, which then stops it in order.
setsid scripts/kube-api.sh --kubeconfig "$work/kubeconfig" --ca-file "$work/ca.crt" >"$work/kube-api.log" 2>&1 &
api_pid=$!
for _ in $(seq 1 240); do
  grep -q '^ca:' "$work/kube-api.log" 2>/dev/null && break
  kill -0 "$api_pid" 2>/dev/null || fail "the local API server exited (log above)"
  sleep 0.5
done
grep -q '^ca:' "$work/kube-api.log" || fail "the local API server did not start within 120 s"
https_url=$(sed -n 's/^https: *\([^ ]*\).*/\1/p' "$work/kube-api.log")
say "API server: $(sed -n 's/^url: *//p' "$work/kube-api.log") (admin), $https_url (tokens, RBAC enforced)"

step "installing the chart with Helm (charts/fi-backup-operator, release $release, namespace $ns)"
"$helm" install "$release" charts/fi-backup-operator --namespace "$ns" --create-namespace \
  --set "claims[0].namespace=$ns" --set "claims[0].name=vm-backups" >/dev/null
"$helm" list -n "$ns"
kubectl get crd
kubectl get deployment,serviceaccount,clusterrole,role -n "$ns" -l "app.kubernetes.io/instance=$release"

# The local API server binds no volumes: the claim is marked Bound by hand, and its files are the
# directory <claims dir>/NS/NAME, as the chart mounts it into the operator pod.
kubectl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: vm-backups, namespace: $ns}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
EOF
kubectl patch pvc vm-backups -n "$ns" --subresource=status --type=merge -p '{"status":{"phase":"Bound"}}' >/dev/null
say "PersistentVolumeClaim $ns/vm-backups Bound, its files in $work/claims/$ns/vm-backups"

step "starting the operator as the chart's Deployment would, with its ServiceAccount's token"
deploy=$(kubectl get deployment -n "$ns" -l "app.kubernetes.io/instance=$release" -o name)
service_account=$(kubectl get "$deploy" -n "$ns" -o jsonpath='{.spec.template.spec.serviceAccountName}')
token=$(kubectl create token "$service_account" -n "$ns" --duration=2h)
operator_kubeconfig="$work/kubeconfig-$service_account"
kubectl config --kubeconfig="$operator_kubeconfig" set-cluster local --server="$https_url" \
  --certificate-authority="$work/ca.crt" --embed-certs >/dev/null
kubectl config --kubeconfig="$operator_kubeconfig" set-credentials "$service_account" --token="$token" >/dev/null
kubectl config --kubeconfig="$operator_kubeconfig" set-context local --cluster=local \
  --user="$service_account" --namespace="$ns" >/dev/null
kubectl config --kubeconfig="$operator_kubeconfig" use-context local >/dev/null
say "kubeconfig of system:serviceaccount:$ns:$service_account: $operator_kubeconfig"

# The container's args, with what differs outside a pod: the claims directory, a free metrics port on loopback, the pod name.
operator_args=(--metrics-bind-address=127.0.0.1)
while IFS= read -r a; do
  # shellcheck disable=SC2016 # '$(POD_NAME)' is the literal the chart writes; Kubernetes expands it in a pod
  case $a in
    --claims-dir=*) a="--claims-dir=$work/claims" ;;
    --metrics-port=*) a="--metrics-port=0" ;;
    '--identity=$(POD_NAME)') a="--identity=fibackup-demo-operator" ;;
  esac
  operator_args+=("$a")
done < <(kubectl get "$deploy" -n "$ns" -o jsonpath='{range .spec.template.spec.containers[0].args[*]}{@}{"\n"}{end}')
((${#operator_args[@]} > 0)) || fail "$deploy has no container args"
say "fibackup ${operator_args[*]} --kubeconfig $operator_kubeconfig"
setsid ./fibackup "${operator_args[@]}" --kubeconfig "$operator_kubeconfig" >"$work/operator.log" 2>&1 &
operator_pid=$!

step "creating a throwaway TCG domain on $uri"
domain="fibackup-demo-$(head -c 3 /dev/urandom | od -An -tx1 | tr -d ' \n')"
disk="$work/images/$domain-vda.qcow2"
qemu-img create -q -f qcow2 "$disk" 64M
# The guest's first data, written before it starts: 4 MiB of 0x41 ('A') at offset 0.
qemu-io -c "write -P 0x41 0 $((4 * MiB))" "$disk" >/dev/null
cp "$disk" "$work/expected-point-1.qcow2"   # what a restore of the first backup must give back
tcg_domain_xml "$domain" "$disk" >"$work/$domain.xml"
domains+=("$domain" "$domain-restored")
virsh -c "$uri" define "$work/$domain.xml" >/dev/null
virsh -c "$uri" start "$domain" >/dev/null
say "domain $domain running (no guest OS: TCG, one 64 MiB qcow2 disk vda with 4 MiB of 0x41 at offset 0)"

# A guest write while QEMU holds the image (scripts/lib/tcg-domain.sh).
guest_write() { # PATTERN OFFSET LENGTH
  echo "$2 $3" >"$work/write.list"
  tcg_guest_writes "$uri" "$domain" "$1" "$work/write.list" || fail "guest write on $domain was not confirmed"
}

# The operator must stay up, and the chart's roles must allow every request it makes: a refusal
# ends the demo at once, with the API server's message, instead of at a timeout.
check_operator() {
  local refused
  kill -0 "$operator_pid" 2>/dev/null || fail "the operator exited (its log above)"
  if refused=$(grep -m1 -i 'forbidden' "$work/operator.log"); then
    fail "the chart's roles refused a request of the operator: $(sed -n 's/.*"message":"\(\([^"\\]\|\\.\)*\)".*/\1/p' <<<"$refused" | sed 's/\\"/"/g')"
  fi
}

# Prints `kubectl get RESOURCE` whenever it changes, until object NAME of it is Succeeded; fails on
# Failed, on a refused operator request, and after 180 s.
watch_until_succeeded() { # RESOURCE NAME
  local resource=$1 name=$2 table last="" phase
  for _ in $(seq 1 360); do
    # The phase first, then the table: the last table printed shows the phase acted on.
    phase=$(kubectl get "$resource" "$name" -n "$ns" -o jsonpath='{.status.phase}' 2>/dev/null || true)
    table=$(kubectl get "$resource" -n "$ns" 2>&1 || true)
    if [[ $table != "$last" ]]; then printf '%s\n\n' "$table"; last=$table; fi
    case $phase in
      Succeeded) return 0 ;;
      Failed) kubectl get "$resource" "$name" -n "$ns" -o jsonpath='{.status.conditions}' >&2; echo >&2
              fail "$resource/$name failed" ;;
    esac
    check_operator
    sleep 0.5
  done
  kubectl get "$resource" "$name" -n "$ns" -o jsonpath='{.status}' >&2; echo >&2
  fail "$resource/$name did not succeed within 180 s"
}

step "applying examples/policy-libvirt-host.yaml and examples/vmbackup-manual.yaml for $domain"
# Adapted only where this machine differs: the domain (web-1 -> $domain), no pattern that could
# select other domains of this host, and overlays inside the demo's directory.
sed -e "s/web-1/$domain/g" -e '/^    patterns:/d' -e '/^    exclude:/d' \
  -e "s|overlayDirectory: .*|overlayDirectory: $work/overlays|" \
  examples/policy-libvirt-host.yaml >"$work/manifests/policy.yaml"
sed -e "s/web-1/$domain/g" examples/vmbackup-manual.yaml >"$work/manifests/vmbackup.yaml"
kubectl apply -f "$work/manifests/policy.yaml"
kubectl wait --for=condition=Ready --timeout=60s vmbackuppolicy/nightly -n "$ns" >/dev/null \
  || { kubectl get vmbackuppolicy nightly -n "$ns" -o jsonpath='{.status.conditions}'; echo; fail "policy nightly is not Ready"; }
kubectl get vmbackuppolicy -n "$ns"
echo
kubectl apply -f "$work/manifests/vmbackup.yaml"
first=$(kubectl get -f "$work/manifests/vmbackup.yaml" -o jsonpath='{.metadata.name}')
watch_until_succeeded vmbackups "$first"
first_point=$(kubectl get vmbackup "$first" -n "$ns" -o jsonpath='{.status.restorePoint}')
say "VmBackup $first succeeded: restore point $first_point (vda: 4 MiB of 0x41)"

step "the guest writes 4 MiB of 0x42 at offset 4 MiB; then the policy runs now (fibackup.io/run-now)"
guest_write 0x42 $((4 * MiB)) $((4 * MiB))
before=$(kubectl get vmbackups -n "$ns" -o name | sort)
kubectl annotate vmbackuppolicy nightly -n "$ns" --overwrite "fibackup.io/run-now=demo-$(date +%s)"
second=""
for _ in $(seq 1 120); do
  second=$(comm -13 <(echo "$before") <(kubectl get vmbackups -n "$ns" -o name | sort) | head -1)
  [[ -n $second ]] && break
  check_operator
  sleep 0.5
done
[[ -n $second ]] || fail "the policy made no VmBackup within 60 s of the run-now annotation"
second=${second#*/}
watch_until_succeeded vmbackups "$second"
say "VmBackup $second succeeded: restore point $(kubectl get vmbackup "$second" -n "$ns" -o jsonpath='{.status.restorePoint}')"
kubectl get vmbackuppolicy -n "$ns"

step "restoring the FIRST point ($first) with examples/vmrestore.yaml as new domain $domain-restored"
sed -e "s/name: nightly-web-1-[0-9a-z]*/name: $first/" -e "s/web-1/$domain/g" \
  -e "s|directory: .*|directory: $work/restored|" \
  examples/vmrestore.yaml >"$work/manifests/vmrestore.yaml"
kubectl apply -f "$work/manifests/vmrestore.yaml"
restore=$(kubectl get -f "$work/manifests/vmrestore.yaml" -o jsonpath='{.metadata.name}')
watch_until_succeeded vmrestores "$restore"
restored=$(kubectl get vmrestore "$restore" -n "$ns" -o jsonpath='{.status.disks[?(@.target=="vda")].file}')
[[ -n $restored && -f $restored ]] || fail "VmRestore $restore names no restored file for vda (got '$restored')"
virsh -c "$uri" domblklist "$domain-restored"

step "content check"
if ! qemu-img compare -q "$restored" "$work/expected-point-1.qcow2"; then
  qemu-img compare "$restored" "$work/expected-point-1.qcow2" || true
  fail "restored vda ($restored) differs from the guest's disk at point $first_point"
fi
# And the later write is not in it: that point came before.
if qemu-io -r -c "read -P 0x00 $((4 * MiB)) $((4 * MiB))" "$restored" | grep -q "Pattern verification failed"; then
  fail "restored vda holds the guest's later write (0x42 at 4 MiB): it is not point $first_point"
fi
say "content check passed: restored vda equals the guest's disk at point $first_point ($first), without the later write"

# Every request of the operator went through the chart's roles: none may have been refused.
check_operator
say "the operator ran with the token of $service_account; the chart's roles refused none of its requests"
say "took $SECONDS s"

if $keep; then
  say "--keep: everything stays up; try: KUBECONFIG=$KUBECONFIG kubectl get vmbackups -n $ns"
  say "--keep: press Ctrl-C to clean up"
  trap 'exit 0' INT TERM
  while :; do sleep 1; done
fi
