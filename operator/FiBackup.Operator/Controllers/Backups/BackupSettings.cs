using FiBackup.Operator.Api.V1Alpha1;
using FiBackup.Operator.Movers;
using FiBackup.Operator.Runtime;
using k8s.Models;
using EngineBackup = FiBackup.Engine.Backup;

namespace FiBackup.Operator.Controllers.Backups;

/// <summary>
/// Everything one backup needs, taken from its policy (spec.policyRef) or, for a backup made by hand
/// without one, from its own spec.source and spec.destination with the policy defaults.
/// </summary>
public sealed record BackupSettings(
    string? PolicyName,
    LibvirtSource Source,
    BackupDestination Destination,
    VmBackupPolicySpec? Policy)
{
    public int BackoffLimit => Policy?.BackoffLimit ?? 2;
    public int MaxParallel => Policy?.Concurrency?.MaxParallel ?? 1;

    /// <summary>The spec field the source URI came from, for messages.</summary>
    public string UriField => PolicyName is null ? "spec.source.libvirt.uri" : $"VmBackupPolicy {PolicyName}: spec.source.libvirt.uri";
    public string CredentialsField => PolicyName is null
        ? "spec.source.libvirt.credentialsSecretRef.name"
        : $"VmBackupPolicy {PolicyName}: spec.source.libvirt.credentialsSecretRef.name";
    public string ClaimField => PolicyName is null
        ? "spec.destination.persistentVolumeClaim.claimName"
        : $"VmBackupPolicy {PolicyName}: spec.destination.persistentVolumeClaim.claimName";

    /// <summary>The host to connect to, with the Secret (in the backup's namespace) it logs in with.</summary>
    public SourceConnection Connection(string @namespace) =>
        SourceConnection.To(Source.Uri, Source.CredentialsSecretRef, @namespace, CredentialsField);

    public static BackupSettings Resolve(VmBackup backup, ICluster cluster) =>
        Resolve(backup, name => cluster.Get<VmBackupPolicy>(new ObjectKey(backup.Namespace, name)));

    /// <summary>The same from a policy however read (a Job's mover reads it from the API).</summary>
    public static BackupSettings Resolve(VmBackup backup, Func<string, VmBackupPolicy?> policyNamed)
    {
        if (backup.Spec.PolicyRef is { } reference)
        {
            var policy = policyNamed(reference.Name)
                         ?? throw new OperatorProblem(OperatorReason.PolicyNotFound,
                             $"spec.policyRef.name: VmBackupPolicy \"{reference.Name}\" not found in namespace \"{backup.Namespace}\"", retryable: true);
            return new BackupSettings(policy.Name, backup.Spec.Source?.Libvirt ?? policy.Spec.Source.Libvirt!,
                backup.Spec.Destination ?? policy.Spec.Destination, policy.Spec);
        }
        return new BackupSettings(null, backup.Spec.Source!.Libvirt!, backup.Spec.Destination!, null);
    }

    public EngineBackup.BackupRequest Request(VmBackup backup, string repositoryRoot) => new()
    {
        Domain = backup.Spec.Domain,
        RepositoryRoot = repositoryRoot,
        Mode = backup.Spec.Mode switch
        {
            BackupMode.Full => EngineBackup.BackupMode.Full,
            BackupMode.Incremental => EngineBackup.BackupMode.Incremental,
            _ => EngineBackup.BackupMode.Auto,
        },
        Consolidation = (Policy?.Consolidation?.Method ?? ConsolidationMethod.Commit) switch
        {
            ConsolidationMethod.Pull => EngineBackup.ConsolidationMethod.Pull,
            ConsolidationMethod.None => EngineBackup.ConsolidationMethod.None,
            _ => EngineBackup.ConsolidationMethod.Commit,
        },
        Technique = (Policy?.Technique ?? BackupTechnique.Snapshot) switch
        {
            BackupTechnique.Bitmap => EngineBackup.BackupTechnique.Bitmap,
            _ => EngineBackup.BackupTechnique.Snapshot,
        },
        AllowBaseWrite = Policy?.Consolidation?.AllowBaseWrite ?? false,
        OverlayDirectory = Policy?.OverlayDirectory,
        Quiesce = (Policy?.Quiesce ?? QuiesceMode.Preferred) switch
        {
            QuiesceMode.Disabled => EngineBackup.QuiesceMode.Disabled,
            QuiesceMode.Required => EngineBackup.QuiesceMode.Required,
            _ => EngineBackup.QuiesceMode.Preferred,
        },
        BandwidthBytesPerSecond = Policy?.BandwidthLimit is { } limit ? (long)new ResourceQuantity(limit.Value).ToDecimal() : null,
        IdempotencyKey = backup.Metadata.Uid,
    };

    /// <summary>The engine's logical fields in this backup's words.</summary>
    public IReadOnlyDictionary<string, string> Fields => new Dictionary<string, string>
    {
        ["domain"] = "spec.domain",
        ["source"] = UriField,
        ["repository"] = ClaimField,
        ["mode"] = "spec.mode",
        ["technique"] = PolicyName is null ? "spec.technique" : $"VmBackupPolicy {PolicyName}: spec.technique",
        ["quiesce"] = PolicyName is null ? "spec.quiesce" : $"VmBackupPolicy {PolicyName}: spec.quiesce",
        ["consolidation"] = PolicyName is null ? "spec.consolidation" : $"VmBackupPolicy {PolicyName}: spec.consolidation",
        ["bandwidth"] = PolicyName is null ? "spec.bandwidthLimit" : $"VmBackupPolicy {PolicyName}: spec.bandwidthLimit",
    };
}
