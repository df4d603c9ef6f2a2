using FiBackup.Engine.Errors;

namespace FiBackup.Engine.Sources;

/// <summary>The guest could not be quiesced (no guest agent, agent not answering); nothing was changed.</summary>
public sealed class QuiesceFailedException(string message, Exception? inner = null)
    : FibackupException(ErrorReason.QuiesceFailed, message, EngineField.Quiesce, inner);
