using FiBackup.Operator.Controllers;
using FiBackup.Operator.Runtime;
using k8s;
using k8s.Models;

namespace FiBackup.Operator.Movers;

/// <summary>
/// `--mover in-process`: each attempt is a background operation of this process
/// (<see cref="RunningOperations{TProgress,TResult}"/>), its progress written by the reconciles.
/// Attempts die with the process; the next leader starts them again (the engine's idempotency key
/// makes that resume, never a second restore point).
/// </summary>
public sealed class LocalMover<TObject, TProgress, TResult>(RunningOperations<TProgress, TResult> operations, CancellationToken stopping)
    : IMover<TObject, TProgress, TResult>
    where TObject : class, IKubernetesObject<V1ObjectMeta>
    where TProgress : class
    where TResult : class
{
    private readonly Dictionary<string, Func<Exception, MoverFailed<TResult>>> describers = [];

    public async Task<MoverState<TProgress, TResult>> ObserveAsync(TObject obj, CancellationToken ct)
    {
        var operation = operations.Find(obj.Metadata.Uid);
        if (operation is null) return new MoverState<TProgress, TResult>.Idle();
        if (operation.Recorded) return new MoverState<TProgress, TResult>.Recorded();
        if (!operation.Task.IsCompleted) return new MoverState<TProgress, TResult>.Running(operation.Started, operation.Latest);
        MoverOutcome<TResult> outcome;
        try
        {
            var result = await operation.Task;
            outcome = new MoverSucceeded<TResult>(result, null, 0);
        }
        catch (OperationCanceledException)
        {
            outcome = new MoverCancelled<TResult>();
        }
        catch (Exception e)
        {
            Func<Exception, MoverFailed<TResult>>? describe;
            lock (describers) describers.TryGetValue(obj.Metadata.Uid, out describe);
            outcome = describe?.Invoke(e) ?? new MoverFailed<TResult>("InternalError", e.Message, true);
        }
        return new MoverState<TProgress, TResult>.Done(operation.Started, outcome);
    }

    public Task StartAsync(TObject obj, MoverRun<TProgress, TResult> run, CancellationToken ct)
    {
        lock (describers) describers[obj.Metadata.Uid] = run.Describe;
        operations.Start(obj.Metadata.Uid, ObjectKey.Of(obj), run.Work, stopping);
        return Task.CompletedTask;
    }

    public void OutcomeRecorded(TObject obj, bool final)
    {
        // Finished: kept, marked, until the cache shows the written status (see MarkRecorded).
        // Not finished (a retry, a busy domain): forgotten, so the next attempt can start.
        if (final) operations.MarkRecorded(obj.Metadata.Uid);
        else Forget(obj.Metadata.Uid);
    }

    public async Task<bool> StopAsync(TObject obj, CancellationToken ct)
    {
        if (operations.Find(obj.Metadata.Uid) is { } operation)
        {
            await operation.Cancellation.CancelAsync();
            try { await operation.Task; } catch { /* the object is going away */ }
        }
        Forget(obj.Metadata.Uid);
        return true;
    }

    public void Forget(TObject obj) => Forget(obj.Metadata.Uid);

    private void Forget(string uid)
    {
        operations.Remove(uid);
        lock (describers) describers.Remove(uid);
    }

    public IReadOnlyList<ObjectKey> Running() => operations.Keys();
}
