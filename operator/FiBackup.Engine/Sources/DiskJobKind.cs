namespace FiBackup.Engine.Sources;

/// <summary>The kind of a block job on a disk (libvirt's virDomainBlockJobType).</summary>
public enum DiskJobKind { Unknown, Pull, Copy, Commit, ActiveCommit, Backup }
