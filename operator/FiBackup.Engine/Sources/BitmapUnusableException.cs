using FiBackup.Engine.Errors;

namespace FiBackup.Engine.Sources;

/// <summary>
/// libvirt refused an incremental backup because the checkpoint it continues from, or that
/// checkpoint's dirty bitmap in a disk, is missing or inconsistent. Nothing was started.
/// </summary>
public sealed class BitmapUnusableException(string message, Exception? inner = null)
    : FibackupException(ErrorReason.LibvirtError, message, EngineField.Technique, inner);
