{{/* The chart's name, overridable by nameOverride. */}}
{{- define "fibackup.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The base name of every object: the release name, plus the chart name unless the release already has it. */}}
{{- define "fibackup.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Labels the pods are selected by; never change between upgrades (a Deployment's selector is immutable). */}}
{{- define "fibackup.selectorLabels" -}}
app.kubernetes.io/name: {{ include "fibackup.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels on every object of the release. */}}
{{- define "fibackup.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "fibackup.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: fi-backup
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* The operator's ServiceAccount. */}}
{{- define "fibackup.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "fibackup.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The movers' ServiceAccount (one of that name in every mover namespace). */}}
{{- define "fibackup.moverServiceAccountName" -}}
{{- default (printf "%s-mover" (include "fibackup.fullname" .)) .Values.mover.serviceAccount.name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Namespaces where movers run: the listed ones, else the watched namespace, else the release's. */}}
{{- define "fibackup.moverNamespaces" -}}
{{- if .Values.mover.namespaces }}
{{- toJson .Values.mover.namespaces }}
{{- else }}
{{- toJson (list (default .Release.Namespace .Values.watchNamespace)) }}
{{- end }}
{{- end }}

{{/* The operator image: repository:tag (tag defaults to the chart's appVersion), or repository@digest. */}}
{{- define "fibackup.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* A name for one claim volume: claim-<namespace>-<name>, shortened with a hash past 63 characters. */}}
{{- define "fibackup.claimVolumeName" -}}
{{- $full := printf "claim-%s-%s" .namespace .name }}
{{- if and (le (len $full) 63) (not (contains "." $full)) }}{{ $full }}{{ else }}{{ printf "claim-%s" (sha256sum $full | trunc 16) }}{{ end }}
{{- end }}
