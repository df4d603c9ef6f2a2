using FiBackup.Engine.Errors;
using FiBackup.Operator.Api.V1Alpha1;
using FiBackup.Operator.Controllers;
using FiBackup.Operator.Controllers.Backups;
using FiBackup.Operator.Runtime;
using k8s;
using EngineBackup = FiBackup.Engine.Backup;

namespace FiBackup.Operator.Movers.Jobs;

/// <summary>
/// `fibackup mover backup`: the body of a backup Job's pod. Reads its VmBackup (and policy), makes
/// the same engine call the in-process mover makes (<see cref="BackupSettings.Request"/>, the
/// VmBackup's UID as idempotency key: a re-run after a killed pod resumes or undoes, never a second
/// point), and writes progress, the plan and the result into the VmBackup's status itself.
/// </summary>
public sealed class BackupInPod(IKubernetes client, MoverPodContext context)
{
    public async Task<MoverExit> RunAsync(string @namespace, string name, CancellationToken ct)
    {
        var backups = new ResourceClient<VmBackup>(client, ResourceKind<VmBackup>.FromEntity());
        var backup = await backups.GetAsync(@namespace, name, ct)
                     ?? throw new OperatorProblem(OperatorReason.BackupNotFound, $"VmBackup \"{name}\" not found in namespace \"{@namespace}\"", retryable: false);
        var reporter = new StatusReporter<VmBackup>(backups, backup, context.Time);
        var started = context.Time.GetUtcNow();
        await reporter.WriteAsync(b => MoverReports.Started(b.Status ??= new VmBackupStatus(), context.PodName, started), ct);

        IReadOnlyDictionary<string, string> fields = new Dictionary<string, string>();
        try
        {
            var policy = backup.Spec.PolicyRef is { } reference
                ? await new ResourceClient<VmBackupPolicy>(client, ResourceKind<VmBackupPolicy>.FromEntity()).GetAsync(@namespace, reference.Name, ct)
                : null;
            var settings = BackupSettings.Resolve(backup, _ => policy);
            fields = settings.Fields;
            var claim = settings.Destination.PersistentVolumeClaim;
            var repository = context.Claims.Repository(@namespace, claim.ClaimName, claim.SubPath, settings.ClaimField);
            var request = settings.Request(backup, repository);

            var progress = new LatestProgress<EngineBackup.BackupProgress>(context.Time);
            using var writing = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var writer = progress.WriteEveryAsync(context.ProgressInterval, p => reporter.WriteAsync(
                b => BackupStatusWriter.Progress(b.Status!, p, started, context.Time.GetUtcNow()), writing.Token), writing.Token);
            EngineBackup.BackupResult result;
            try
            {
                result = await context.Engine.BackupAsync(settings.Connection(@namespace), request, progress, ct);
            }
            finally
            {
                await writing.CancelAsync();
                await writer;
            }

            var note = result.Outcome switch
            {
                EngineBackup.BackupOutcome.AlreadyDone => "found already made by an earlier attempt",
                EngineBackup.BackupOutcome.FinishedInterrupted => "an interrupted attempt was finished",
                _ => null,
            };
            await reporter.WriteAsync(b =>
            {
                BackupStatusWriter.Result(b.Status!, result);
                MoverReports.Succeeded(b.Status!, note, result.Bytes);
            }, CancellationToken.None);
            return new MoverExit(0, $"restore point {result.PointId} of {backup.Spec.Domain} ({result.Type}) in {repository}");
        }
        catch (Exception e) when (e is not OperationCanceledException || ct.IsCancellationRequested)
        {
            var failure = ct.IsCancellationRequested
                ? new EngineFailure(ErrorReason.Interrupted, $"the mover of {backup.Spec.Domain} was stopped (its pod or Job was deleted); the engine undid what it had begun", true)
                : EngineCalls.Failure(e, fields, $"backup of {backup.Spec.Domain}");
            await reporter.WriteAsync(b => MoverReports.Failed(b.Status!, failure), CancellationToken.None);
            return MoverExit.Of(failure);
        }
    }
}

/// <summary>What a mover's pod has around it: where claims are mounted, the engine, its name, the clock.</summary>
public sealed record MoverPodContext(ClaimDirectories Claims, IBackupEngine Engine, string PodName, TimeProvider Time)
{
    /// <summary>Status writes of progress at most this often (DESIGN: every ~2 s while copying).</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(2);
}

/// <summary>The mover's exit code and its one line for the pod's log.</summary>
public sealed record MoverExit(int Code, string Message)
{
    public static MoverExit Of(EngineFailure failure) =>
        new(failure.Reason == ErrorReason.DomainBusy ? 3 : 1, $"{failure.Reason}: {failure.Message}");
}
