using FiBackup.Operator.Api.V1Alpha1;
using FiBackup.Operator.Runtime;
using k8s;
using k8s.Models;

namespace FiBackup.Operator.Movers.Jobs;

/// <summary>
/// A Job's mover writing into its object's status: each write is one merge patch carrying the
/// resourceVersion it was computed from (<see cref="StatusPatcher{T}"/>). The operator writes the
/// same status (phase transitions); on a conflict the object is read again and the change applied
/// to the fresh copy, so neither side puts back what the other wrote.
/// </summary>
public sealed class StatusReporter<T>(ResourceClient<T> client, T current, TimeProvider time)
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly StatusPatcher<T> patcher = new(client, time: time);
    private readonly SemaphoreSlim gate = new(1, 1);

    /// <summary>The object as last written or read.</summary>
    public T Current { get; private set; } = current;

    public int Attempts { get; init; } = 10;

    /// <summary>Applies <paramref name="change"/> to the status and writes it; false when the object is gone.</summary>
    public async Task<bool> WriteAsync(Action<T> change, CancellationToken ct)
    {
        await gate.WaitAsync(ct);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var before = KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(Current));
                change(Current);
                try
                {
                    await patcher.PatchAsync(before, Current, ct);
                    return true;
                }
                catch (StaleObjectException) when (attempt < Attempts)
                {
                    if (await client.GetAsync(ObjectKey.Of(Current), ct) is not { } fresh) return false;
                    Current = fresh;
                }
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The status's mover report, created when missing (a mover started by hand).</summary>
    public static MoverReport Report(IMoverStatus status) => status.Mover ??= new MoverReport();
}

/// <summary>The three things a mover says about itself in status.mover.</summary>
public static class MoverReports
{
    public static void Started(IMoverStatus status, string pod, DateTimeOffset now)
    {
        var report = StatusReporter<VmBackup>.Report(status);
        report.Pod = pod;
        report.StartTime = now.UtcDateTime;
        report.Result = null;
        report.Reason = null;
        report.Message = null;
        report.Retryable = null;
    }

    public static void Succeeded(IMoverStatus status, string? message, long bytesCopied)
    {
        var report = StatusReporter<VmBackup>.Report(status);
        report.Result = "Succeeded";
        report.Reason = "Succeeded";
        report.Message = message;
        report.Retryable = null;
        report.BytesCopied = bytesCopied;
    }

    public static void Failed(IMoverStatus status, Controllers.EngineFailure failure)
    {
        var report = StatusReporter<VmBackup>.Report(status);
        report.Result = "Failed";
        report.Reason = failure.Reason;
        report.Message = failure.Message;
        report.Retryable = failure.Retryable;
    }
}
