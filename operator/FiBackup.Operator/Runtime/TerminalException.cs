namespace FiBackup.Operator.Runtime;

/// <summary>
/// A failure retrying cannot fix (an invalid spec, a missing restore point). The reconciler records it in
/// status or an Event first; the controller then forgets the key instead of backing off and retrying.
/// </summary>
public class TerminalException(string message, Exception? innerException = null) : Exception(message, innerException);
