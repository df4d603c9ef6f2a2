# The fi-backup operator image: `fibackup` (operator, mover and CLI) on the ASP.NET Core runtime
# (Kestrel serves /metrics, /healthz, /readyz), with libvirt's client library (libvirt.so.0, loaded by
# FiBackup.Libvirt; virsh for debugging) and qemu-img.
#   docker build -t ghcr.io/fi-backup/fi-backup-operator:0.1.0 .
# The chart's default image (charts/fi-backup-operator/values.yaml) is this one, tagged with appVersion.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, so the package layer is reused while only sources change.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY operator/FiBackup.Libvirt/FiBackup.Libvirt.csproj operator/FiBackup.Libvirt/
COPY operator/FiBackup.Engine/FiBackup.Engine.csproj operator/FiBackup.Engine/
COPY operator/FiBackup.Operator/FiBackup.Operator.csproj operator/FiBackup.Operator/
RUN dotnet restore operator/FiBackup.Operator/FiBackup.Operator.csproj
COPY operator/ operator/
RUN dotnet publish operator/FiBackup.Operator/FiBackup.Operator.csproj -c Release --no-restore -o /out

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libvirt-clients qemu-utils openssh-client ca-certificates \
 && rm -rf /var/lib/apt/lists/*
# A fixed non-root user (the chart's podSecurityContext runs as 65532:65532).
RUN groupadd --system --gid 65532 fibackup \
 && useradd --system --uid 65532 --gid 65532 --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin fibackup
COPY --from=build /out /app
ENV DOTNET_EnableDiagnostics=0 \
    DOTNET_gcServer=0
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["dotnet", "/app/fibackup.dll"]
CMD ["operator"]
