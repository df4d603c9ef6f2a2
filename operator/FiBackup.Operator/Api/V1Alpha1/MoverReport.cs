using System.ComponentModel;

namespace FiBackup.Operator.Api.V1Alpha1;

/// <summary>
/// The Job mover's side of a VmBackup's or VmRestore's status. The operator names the Job of the
/// current attempt; the mover (`fibackup mover ...` in that Job's pod) says it started and how it
/// ended. Phases and conditions stay the operator's: it reads this report when the Job ends.
/// </summary>
public sealed class MoverReport
{
    [Description("The batch/v1 Job running the current attempt.")]
    public string Job { get; set; } = "";

    [Description("Jobs made for this object so far; the current Job is the attempt-th.")]
    public int Attempt { get; set; }

    [Description("The pod of the Job that reported, once its mover started.")]
    public string? Pod { get; set; }

    [Description("When the mover in the Job's pod started.")]
    public DateTime? StartTime { get; set; }

    [Description("Succeeded or Failed, written by the mover as it exits.")]
    public string? Result { get; set; }

    [Description("The mover's failure reason (the engine's), or Succeeded.")]
    public string? Reason { get; set; }

    [Description("What the mover did, or why it failed.")]
    public string? Message { get; set; }

    [Description("Whether another attempt may succeed where this one failed.")]
    public bool? Retryable { get; set; }

    [Description("Bytes the mover copied.")]
    public long? BytesCopied { get; set; }
}

/// <summary>Statuses that carry a <see cref="MoverReport"/>.</summary>
public interface IMoverStatus
{
    MoverReport? Mover { get; set; }
}
