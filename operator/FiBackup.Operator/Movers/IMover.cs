using FiBackup.Operator.Runtime;
using k8s;
using k8s.Models;

namespace FiBackup.Operator.Movers;

/// <summary>
/// Where a VmBackup's or VmRestore's data moves: <see cref="LocalMover{TObject,TProgress,TResult}"/> runs
/// the engine inside the operator (`--mover in-process`), <see cref="Jobs.JobMover{TObject,TProgress,TResult}"/>
/// in a batch/v1 Job on the libvirt host's node (`--mover job`). The reconcilers decide phases,
/// retries and conditions the same way for both; a mover only starts attempts and says how they are.
/// </summary>
public interface IMover<TObject, TProgress, TResult>
    where TObject : class, IKubernetesObject<V1ObjectMeta>
    where TProgress : class
    where TResult : class
{
    /// <summary>The current attempt of <paramref name="obj"/>, as far as this mover knows.</summary>
    Task<MoverState<TProgress, TResult>> ObserveAsync(TObject obj, CancellationToken ct);

    /// <summary>Starts an attempt; may record what it started in <paramref name="obj"/>'s status (written by the reconcile).</summary>
    Task StartAsync(TObject obj, MoverRun<TProgress, TResult> run, CancellationToken ct);

    /// <summary>The reconcile wrote the outcome <see cref="ObserveAsync"/> gave it; <paramref name="final"/>: the object is finished.</summary>
    void OutcomeRecorded(TObject obj, bool final);

    /// <summary>The object is finished and its status is in the cache: keep nothing of it.</summary>
    void Forget(TObject obj);

    /// <summary>Stops the attempt of an object being deleted; false while it is still stopping.</summary>
    Task<bool> StopAsync(TObject obj, CancellationToken ct);

    /// <summary>Objects whose attempts run now (for spec.concurrency.maxParallel).</summary>
    IReadOnlyList<ObjectKey> Running();
}

/// <summary>One attempt to run: what the in-process mover calls, and what a Job needs to run it elsewhere.</summary>
/// <param name="Verb">`fibackup mover VERB`: backup or restore.</param>
/// <param name="NodeName">The node of the libvirt host (spec.source.libvirt.nodeName); null: anywhere.</param>
/// <param name="ClaimName">The PersistentVolumeClaim with the repository.</param>
/// <param name="Work">The engine call; the Job mover's pod makes the same call from the object (`fibackup mover`).</param>
/// <param name="Describe">Turns the engine's exception into the condition's reason and message.</param>
public sealed record MoverRun<TProgress, TResult>(
    string Verb,
    string? NodeName,
    string ClaimName,
    Func<IProgress<TProgress>, CancellationToken, Task<TResult>> Work,
    Func<Exception, MoverFailed<TResult>> Describe)
    where TResult : class;

/// <summary>What a reconcile learns about an object's attempt.</summary>
public abstract record MoverState<TProgress, TResult> where TResult : class
{
    /// <summary>No attempt runs (none started, or the last one's outcome is written).</summary>
    public sealed record Idle : MoverState<TProgress, TResult>;

    /// <summary>Running; <paramref name="Latest"/> is null when the mover writes progress itself.</summary>
    public sealed record Running(DateTimeOffset Started, TProgress? Latest) : MoverState<TProgress, TResult>;

    public sealed record Done(DateTimeOffset Started, MoverOutcome<TResult> Outcome) : MoverState<TProgress, TResult>;

    /// <summary>The outcome is written, but the cache does not show it yet: wait, do not start again.</summary>
    public sealed record Recorded : MoverState<TProgress, TResult>;
}

public abstract record MoverOutcome<TResult> where TResult : class;

/// <summary>
/// Success. <paramref name="Result"/> is the engine's result when it ran here; null when a Job's
/// mover already wrote it into the status (then <paramref name="Message"/> is what it said).
/// </summary>
public sealed record MoverSucceeded<TResult>(TResult? Result, string? Message, long BytesCopied) : MoverOutcome<TResult> where TResult : class;

public sealed record MoverFailed<TResult>(string Reason, string Message, bool Retryable) : MoverOutcome<TResult> where TResult : class
{
    public static MoverFailed<TResult> From(Controllers.EngineFailure failure) => new(failure.Reason, failure.Message, failure.Retryable);
}

/// <summary>Cancelled by this operator (leadership lost, shutting down): nothing to record.</summary>
public sealed record MoverCancelled<TResult> : MoverOutcome<TResult> where TResult : class;
