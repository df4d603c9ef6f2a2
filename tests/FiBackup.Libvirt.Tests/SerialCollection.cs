namespace FiBackup.Libvirt.Tests;

/// <summary>Tests that observe process-wide state (libvirtd's client list, file descriptor 2) run after all others, alone.</summary>
[CollectionDefinition(nameof(SerialCollection), DisableParallelization = true)]
public sealed class SerialCollection;
