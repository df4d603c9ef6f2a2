namespace FiBackup.Operator.Runtime;

/// <summary>
/// A write computed from a copy older than the server's was refused (409 on its resourceVersion).
/// Not an error: the controller reconciles the object again once its cache has the newer copy.
/// </summary>
public sealed class StaleObjectException(string kind, ObjectKey key, Exception inner)
    : Exception($"{kind} {key} changed since it was read; reconciling again on the newer copy", inner);
