using FiBackup.Operator.Api.V1Alpha1;
using FiBackup.Operator.Movers;

namespace FiBackup.Operator.Controllers.Policies;

/// <summary>
/// A policy's surroundings, checked: the repository directory (claim found, Bound, mounted) and
/// the source's identity and domains. Anything missing is an <see cref="OperatorProblem"/> naming
/// the field.
/// </summary>
public sealed record PolicySettings(string RepositoryRoot, SourceInventory Source, SelectedDomains Selection)
{
    public const string ClaimField = "spec.destination.persistentVolumeClaim.claimName";
    public const string UriField = "spec.source.libvirt.uri";
    public const string CredentialsField = "spec.source.libvirt.credentialsSecretRef.name";

    public static async Task<PolicySettings> ResolveAsync(VmBackupPolicy policy, ICluster cluster, IBackupEngine engine,
        ClaimDirectories claims, CancellationToken ct)
    {
        var root = await RepositoryRoots.ResolveAsync(cluster, claims, policy.Namespace, policy.Spec.Destination, ClaimField, ct);
        var uri = policy.Spec.Source.Libvirt!.Uri;
        var source = SourceConnection.To(uri, policy.Spec.Source.Libvirt.CredentialsSecretRef, policy.Namespace, CredentialsField);
        var inventory = await EngineCalls.ListDomainsAsync(engine, source, UriField, ct);
        var selection = DomainSelection.Select(policy.Spec.Domains, inventory.Domains);
        if (selection.MissingNames.Count > 0)
            throw new OperatorProblem("DomainNotFound",
                $"spec.domains.names: {string.Join(", ", selection.MissingNames.Select(n => $"domain \"{n}\""))} not found on {uri}", retryable: true);
        if (selection.Domains.Count == 0)
            throw new OperatorProblem("NoDomainSelected", $"spec.domains: selects no domain of the {inventory.Domains.Count} on {uri}", retryable: true);
        return new PolicySettings(root, inventory, selection);
    }
}

/// <summary>Finds the repository directory of a destination, checking the claim first.</summary>
public static class RepositoryRoots
{
    public static async Task<string> ResolveAsync(ICluster cluster, ClaimDirectories claims, string @namespace,
        BackupDestination destination, string claimField, CancellationToken ct)
    {
        var claimName = destination.PersistentVolumeClaim.ClaimName;
        var claim = await cluster.ReadClaimAsync(@namespace, claimName, ct)
                    ?? throw new OperatorProblem(OperatorReason.ClaimNotFound,
                        $"{claimField}: PersistentVolumeClaim \"{claimName}\" not found in namespace \"{@namespace}\"", retryable: true);
        if (claim.Status?.Phase != "Bound")
            throw new OperatorProblem(OperatorReason.ClaimNotBound,
                $"{claimField}: PersistentVolumeClaim \"{claimName}\" is {claim.Status?.Phase ?? "Pending"}, not Bound", retryable: true);
        return claims.Repository(@namespace, claimName, destination.PersistentVolumeClaim.SubPath, claimField);
    }
}
