using FiBackup.Engine.Repository;

namespace FiBackup.Engine.Verify;

/// <summary>What can be wrong with a repository file or with the way a manifest lists it.</summary>
public enum ProblemKind
{
    /// <summary>The manifest itself cannot be read.</summary>
    ManifestUnreadable,
    Missing,
    SizeDiffers,
    Sha256Differs,
    /// <summary>`qemu-img check` reports corruption (or cannot open the image).</summary>
    Corrupt,
    /// <summary>The backing file name in the image header is not the one the manifest records.</summary>
    BackingDiffers,
    /// <summary>The manifest lists a disk's files in an order that cannot form its chain.</summary>
    ChainOrder,
}

/// <summary>One thing wrong, naming the file both as the manifest records it and where it is on disk.</summary>
public sealed record VerificationProblem(ProblemKind Kind, string RelativePath, string FullPath, string Detail)
{
    public override string ToString() => $"{RelativePath}: {Detail} ({FullPath})";
}

/// <summary>The verdict on one restore point: intact when none of its files has a problem.</summary>
public sealed record PointVerification(string PointId, int FilesChecked, IReadOnlyList<VerificationProblem> Problems)
{
    public bool Intact => Problems.Count == 0;
}

/// <summary>The verdict on one domain of a repository.</summary>
public sealed record VerificationReport(DomainLayout Domain, IReadOnlyList<PointVerification> Points, int FilesChecked)
{
    public bool Intact => Points.All(p => p.Intact);
    public VerificationProblem? FirstProblem => Points.SelectMany(p => p.Problems).FirstOrDefault();
}
