{{/*
Names and labels. The templates use only these of Helm's functions:
include, toYaml, nindent, quote, default, required, fail, b64enc,
sha256sum, trunc, trimSuffix, contains, int and Go's own (printf, print,
and, or, not, eq, gt). cmd/kaohe's TestHelmChart renders the chart with
exactly those when no helm binary is installed, so a template that needs
another fails that test until the renderer learns it.
*/}}
{{- define "kaohe.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "kaohe.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "kaohe.labels" -}}
{{ include "kaohe.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "kaohe.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* The Secret holding the Lark credentials and the database URL. */}}
{{- define "kaohe.secretName" -}}
{{- .Values.secrets.existingSecret | default (include "kaohe.fullname" .) -}}
{{- end -}}
