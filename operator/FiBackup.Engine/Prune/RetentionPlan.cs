using FiBackup.Engine.Repository;

namespace FiBackup.Engine.Prune;

/// <summary>Whether one restore point stays, and every rule that keeps it (none for a dropped point).</summary>
public sealed record RetentionDecision(RestorePointManifest Point, bool Keep, IReadOnlyList<string> Reasons)
{
    public string Id => Point.Id;
}

/// <summary>The decision for every restore point of a domain, newest first; no policy when the points to drop were chosen by id.</summary>
public sealed record RetentionPlan(RetentionPolicy? Policy, IReadOnlyList<RetentionDecision> Decisions)
{
    public IEnumerable<RestorePointManifest> Kept => Decisions.Where(d => d.Keep).Select(d => d.Point);
    public IEnumerable<RestorePointManifest> Dropped => Decisions.Where(d => !d.Keep).Select(d => d.Point);
}
