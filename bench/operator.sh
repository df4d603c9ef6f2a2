#!/usr/bin/env bash
# The operator at scale: N VmBackupPolicies (one domain each, schedule "0 3 * * *", annotated
# fibackup.io/run-now), how long until all are Ready and scheduled, how long until their N VmBackups
# have all Succeeded, how many API requests that took, and the operator's peak memory.
#
# The engine is SIMULATED (bench/OperatorBench/SimulatedEngine.cs: one host "bench-host" with N
# domains, backups that report one progress and return a restore point at once, points kept in
# memory): this measures the operator — informers, work queues, reconcilers, status writes, API
# round trips — not the data path (that is bench/engine.sh).
#
# Three processes: the local API server (scripts/kube-api.sh, request log on), the operator
# (OperatorBench operator: OperatorHost.RunAsync with --namespace bench, 8 workers per kind, the default of `fibackup operator --workers`)
# and the poller (OperatorBench measure: one list of each kind per second). The policies are created
# (kubectl create -f, one multi-document file) BEFORE the operator starts; that phase is timed apart.
# t0 = the operator's launch. Peak memory = VmHWM of the operator process alone.
#
# usage: bench/operator.sh [N]   (default 1000; env BENCH_TIMEOUT seconds, default 300; BENCH_WORKERS;
#   BENCH_KEEP=DIR keeps the operator log, the server's request log and the poller's output there;
#   BENCH_PERF=FILE records the operator with `perf record -g` (JIT symbols via DOTNET_PerfMapEnabled) into FILE)
# needs: dotnet, kubectl
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
timeout=${BENCH_TIMEOUT:-300}
workers=${BENCH_WORKERS:-8}
command="bench/operator.sh $*"
[[ -n ${BENCH_WORKERS:-} ]] && command="BENCH_WORKERS=$workers $command"

work=$(mktemp -d "${TMPDIR:-/tmp}/fibackup-operator-bench.XXXXXX")
api_pid='' op_pid='' perf_pid=''
stop() { # pid: SIGTERM to its process group, then SIGKILL after 10 s
  local pid=$1
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
  local status=$?
  [[ -n $perf_pid ]] && kill -INT "$perf_pid" 2>/dev/null && wait "$perf_pid" 2>/dev/null || true
  if [[ -n ${BENCH_KEEP:-} && -f $work/kubeconfig ]]; then
    k get vmbackups -n bench -o custom-columns=NAME:.metadata.name,DOMAIN:.spec.domain,ANNOTATIONS:.metadata.annotations,CREATED:.metadata.creationTimestamp >"$work/vmbackups.out" 2>&1 || true
    k get events -n bench --field-selector reason=RunStarted -o custom-columns=OBJ:.involvedObject.name,COUNT:.count,MSG:.message >"$work/runs.out" 2>&1 || true
  fi
  stop "$op_pid"
  stop "$api_pid"
  if ((status != 0)); then
    echo "operator.sh: failed (exit $status); last lines of the logs:" >&2
    tail -n 15 "$work/operator.log" "$work/api.out" 2>/dev/null >&2 || true
  fi
  if [[ -n ${BENCH_KEEP:-} ]]; then mkdir -p "$BENCH_KEEP" && cp "$work"/*.log "$work"/*.out "$BENCH_KEEP"/ 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
say() { echo "operator.sh: $*" >&2; }
k() { kubectl --kubeconfig "$work/kubeconfig" "$@"; }
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

say "building bench/OperatorBench and the API server (scripts/kube-api.sh)"
dotnet build bench/OperatorBench -c Release -nologo -clp:ErrorsOnly -o "$work/bin" >"$work/build.log" 2>&1 \
  || { cat "$work/build.log" >&2; exit 1; }

say "starting the API server (its own process, request log on)"
setsid scripts/kube-api.sh --kubeconfig "$work/kubeconfig" --verbose >"$work/api.out" 2>"$work/requests.log" &
api_pid=$!
for _ in $(seq 600); do
  [[ -s $work/kubeconfig ]] && k get --raw /readyz >/dev/null 2>&1 && break
  kill -0 "$api_pid" 2>/dev/null || { say "the API server exited"; exit 1; }
  sleep 0.2
done
k get --raw /readyz >/dev/null

say "CRDs, namespace bench, PVC repo (Bound), $n policies"
k apply -f crds/ >/dev/null
k create namespace bench >/dev/null
k -n bench apply -f - >/dev/null <<'YAML'
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: repo }
spec: { accessModes: [ReadWriteOnce], resources: { requests: { storage: 1Ti } } }
YAML
k -n bench patch pvc repo --subresource=status --type=merge -p '{"status":{"phase":"Bound"}}' >/dev/null
mkdir -p "$work/claims/bench/repo"
for ((i = 0; i < n; i++)); do
  printf -- '---\napiVersion: fibackup.io/v1alpha1\nkind: VmBackupPolicy\nmetadata:\n  name: p-%04d\n  namespace: bench\n  annotations: { fibackup.io/run-now: "1" }\nspec:\n  source: { libvirt: { uri: "qemu:///system" } }\n  domains: { names: [vm-%04d] }\n  schedule: "0 3 * * *"\n  destination: { persistentVolumeClaim: { claimName: repo } }\n  retention: { keepLast: 7 }\n' "$i" "$i"
done >"$work/policies.yaml"
t=$EPOCHREALTIME
k create -f "$work/policies.yaml" >/dev/null
create_s=$(awk -v a="$t" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
[[ $(k -n bench get vmbackuppolicies -o name | wc -l) == "$n" ]] || { say "expected $n policies"; exit 1; }

say "starting the operator (simulated engine, $workers workers per kind) and polling once a second"
log_from=$(wc -l <"$work/requests.log")
cpu_of() { [[ -n $1 && -r /proc/$1/stat ]] && awk -v hz="$(getconf CLK_TCK)" '{ printf "%.1f", ($14 + $15) / hz }' "/proc/$1/stat" || echo '?'; }
api_cpu0=$(cpu_of "$(pgrep -P "$api_pid" | head -1 || true)")
t0=$EPOCHREALTIME
env ${BENCH_PERF:+DOTNET_PerfMapEnabled=1} setsid "$work/bin/OperatorBench" operator --kubeconfig "$work/kubeconfig" --claims-dir "$work/claims" --domains "$n" \
  --workers "$workers" >"$work/operator.log" 2>&1 &
op_pid=$!
if [[ -n ${BENCH_PERF:-} ]]; then perf record -q -F 199 -g -p "$op_pid" -o "$BENCH_PERF" 2>"$work/perf.log" & perf_pid=$!; fi
set +e
"$work/bin/OperatorBench" measure --kubeconfig "$work/kubeconfig" --policies "$n" --request-log "$work/requests.log" \
  --log-from "$log_from" --t0 "$t0" --timeout "$timeout" >"$work/measure.out"
measured=$?
set -e
kill -0 "$op_pid" 2>/dev/null || { say "the operator exited early"; exit 1; }
hwm_kb=$(awk '/^VmHWM:/ { print $2 }' "/proc/$op_pid/status")
rss_kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/$op_pid/status")
cpu_s=$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%.1f", ($14 + $15) / hz }' "/proc/$op_pid/stat")
api_child=$(pgrep -P "$api_pid" | head -1 || true)
api_hwm_kb=$([[ -n $api_child ]] && awk '/^VmHWM:/ { print $2 }' "/proc/$api_child/status" || echo 0)
api_cpu_s=$(cpu_of "$api_child")
if [[ -n $perf_pid ]]; then kill -INT "$perf_pid"; wait "$perf_pid" || true; perf_pid=''; fi
stop "$op_pid"; op_pid=''
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
((measured == 0)) || { cat "$work/measure.out" >&2; say "did not converge within $timeout s"; exit 1; }

get() { sed -n "s/^$1=//p" "$work/measure.out"; }
mb() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }
warnings=$(grep -c -E '^[0-9:]+ (warn|fail|crit)' "$work/operator.log" || true)
cat <<EOF

## Operator at scale: $n policies, one domain each (SIMULATED engine: no data moved; the data path is bench/engine.sh)

Run $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- operator bench 2>/dev/null || echo ' (with uncommitted changes)'), $(nproc) cores, load average $load_start at the start, $load_end at the end.
Policies created before the operator started (\`kubectl create -f\`, one file of $n documents): $create_s s. t0 = operator launch; polls: one list of each kind per second.

| policies | all Ready + nextScheduleTime (s) | all $n VmBackups exist (s) | all Succeeded (s) | API requests by the operator until then | requests in the 5 s after | operator peak RSS (VmHWM, MB) | operator CPU (s) |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
| $n | $(get ready) | $(get created) | $(get succeeded) | $(get requests) | $(get requests_after_done) | $(mb "$hwm_kb") | $cpu_s |

Requests by kind (t0 until all Succeeded, the poller's own $(get own_requests) lists excluded):

$(sed -n 's/^request \([0-9-]*\) \(.*\)$/- \2: \1/p' "$work/measure.out" | head -20)

Operator RSS at the end $(mb "$rss_kb") MB; API server peak $(mb "$api_hwm_kb") MB, CPU $api_cpu_s s since its start ($api_cpu0 s of it before t0); operator log: $(wc -l <"$work/operator.log") lines, $warnings warn/fail.

Command: \`$command\`
EOF
