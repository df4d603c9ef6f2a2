namespace FiBackup.Engine.Errors;

/// <summary>
/// The inputs of the engine, by meaning rather than by spelling: <see cref="FibackupException.Field"/>
/// holds one of these, and each front end maps it to what its user typed (the CLI to a flag such as
/// --domain, the operator to a spec path such as spec.domain). Values are camelCase like CRD fields.
/// </summary>
public static class EngineField
{
    public const string Domain = "domain";
    public const string Repository = "repository";
    /// <summary>Where the VMs live: the libvirt URI.</summary>
    public const string Source = "source";
    /// <summary>The host directory of a repository (its first level).</summary>
    public const string Host = "host";
    public const string Mode = "mode";
    public const string Point = "point";
    /// <summary>Several restore point ids at once (a drop of chosen points).</summary>
    public const string Points = "points";
    public const string Disks = "disks";
    public const string TargetDirectory = "targetDirectory";
    public const string NewName = "newName";
    public const string InPlace = "inPlace";
    public const string Start = "start";
    public const string Define = "define";
    public const string Flatten = "flatten";
    public const string Bandwidth = "bandwidth";
    public const string Quiesce = "quiesce";
    /// <summary>How a restore point is taken: snapshot or bitmap.</summary>
    public const string Technique = "technique";
    public const string Consolidation = "consolidation";
    public const string AllowBaseWrite = "allowBaseWrite";
    public const string KeepLast = "keepLast";
    public const string KeepDaily = "keepDaily";
    public const string KeepWeekly = "keepWeekly";
    public const string KeepMonthly = "keepMonthly";
    public const string IdempotencyKey = "idempotencyKey";
}
