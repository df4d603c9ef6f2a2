namespace FiBackup.Engine.Restore;

/// <summary>Where a restored domain goes: a new domain beside the old one, or the old domain itself.</summary>
public abstract record RestoreMode
{
    /// <summary>Defined under <paramref name="Name"/> with a new UUID and new MAC addresses; only restored disks attached.</summary>
    public sealed record NewDomain(string Name) : RestoreMode;

    /// <summary>The same domain (name, UUID, MACs) switched to the restored images; it must be shut off.</summary>
    public sealed record InPlace : RestoreMode;
}
