using FiBackup.Engine.Errors;

namespace FiBackup.Engine.Qcow2;

/// <summary>
/// A rewritten qcow2 header (fixed fields, extensions and backing file name) would not fit in the
/// image's first cluster (only with tiny clusters, e.g. 512 bytes, and many header extensions).
/// Nothing falls back: the copy fails before writing anything and the backup is rolled back.
/// A fallback would have to relocate the header's tail, which neither fibackup nor
/// `qemu-img rebase -u` does (qemu refuses a header that outgrows its first cluster too): it would
/// need a re-encoded copy (`qemu-img convert -B` with a larger cluster size) that is then hashed
/// and renamed like any repository file.
/// </summary>
public sealed class Qcow2HeaderFullException(string message) : FibackupException(ErrorReason.CopyFailed, message);
