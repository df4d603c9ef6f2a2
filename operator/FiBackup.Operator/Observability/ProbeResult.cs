namespace FiBackup.Operator.Observability;

/// <summary>The answer of a liveness or readiness callback; <see cref="Reason"/> is the plain-text
/// body sent with it. The kubelet looks only at the status code; the reason is for a person
/// running curl against the pod when it will not become ready.</summary>
public readonly record struct ProbeResult(bool Passing, string Reason)
{
    public static ProbeResult Pass { get; } = new(true, "ok");

    public static ProbeResult Fail(string reason) => new(false, reason);
}
