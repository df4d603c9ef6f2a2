using FiBackup.Engine.Sources;

namespace FiBackup.Engine.Consolidation;

/// <summary>The folds of a running domain: libvirt block jobs (commit, active commit + pivot, pull).</summary>
internal sealed class RunningFolds(IVmDomain domain, long bandwidth) : IChainFolds
{
    public Task CommitBelowActiveAsync(string target, string activeImage, string top, string into, string intoFormat, CancellationToken ct) =>
        domain.CommitAsync(target, top, into, bandwidth, ct);

    public Task PullAsync(string target, string activeImage, string baseImage, string baseFormat, CancellationToken ct) =>
        domain.PullAsync(target, baseImage, bandwidth, ct);

    public Task CommitActiveAsync(string target, string activeImage, string into, string intoFormat, CancellationToken ct) =>
        domain.ActiveCommitAsync(target, into, bandwidth, ct);
}
