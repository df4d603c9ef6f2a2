using FiBackup.Engine.Repository;

namespace FiBackup.Engine.Prune;

/// <summary>
/// What a prune decided and did. A dry run has the plan and nothing else. BytesWritten and
/// BytesDeleted are data bytes (what the files store, holes not counted): the meaning `bytes` has
/// everywhere in the repository (docs/repository-format.md).
/// </summary>
public sealed record PruneResult(
    RetentionPlan Plan,
    bool DryRun,
    IReadOnlyList<RepositoryFile> FilesWritten,
    long BytesWritten,
    IReadOnlyList<string> ManifestsRewritten,
    IReadOnlyList<string> FilesDeleted,
    long BytesDeleted,
    PruneRecovery? Recovery);

/// <summary>What recovery found and finished of earlier, interrupted prunes.</summary>
public sealed record PruneRecovery(IReadOnlyList<string> JournalEntries, IReadOnlyList<string> ManifestsDeleted,
    IReadOnlyList<string> FilesDeleted, long BytesDeleted)
{
    public bool DidSomething => JournalEntries.Count + ManifestsDeleted.Count + FilesDeleted.Count > 0;
}
