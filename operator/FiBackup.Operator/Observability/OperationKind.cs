namespace FiBackup.Operator.Observability;

/// <summary>What kind of data-moving operation is running; the <c>kind</c> label of
/// <c>fibackup_operations_in_flight</c>.</summary>
public enum OperationKind { Backup, Restore, Prune }
