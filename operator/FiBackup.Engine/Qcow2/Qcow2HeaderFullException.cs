using FiBackup.Engine.Errors;

namespace FiBackup.Engine.Qcow2;

/// <summary>
/// A rewritten qcow2 header (fixed fields, extensions and backing file name) would not fit in the
/// image's first cluster. The caller can copy the image unchanged and rebase the copy instead.
/// </summary>
public sealed class Qcow2HeaderFullException(string message) : FibackupException(message);
