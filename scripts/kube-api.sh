#!/usr/bin/env bash
# Starts the local Kubernetes API server of tests/FiBackup.Testing/KubeApi in the foreground, for demos and for
# trying kubectl by hand. Writes a kubeconfig to FILE, prints its path and the URL, stops on Ctrl-C/SIGTERM.
#   scripts/kube-api.sh --kubeconfig /tmp/kc [--ca-file /tmp/ca.crt] [--port N] [--verbose]
#   kubectl --kubeconfig /tmp/kc apply -f my-crd.yaml
set -euo pipefail
cd "$(dirname "$0")/.."
exec dotnet run --file scripts/kube-api.cs -c Release -- "$@"
