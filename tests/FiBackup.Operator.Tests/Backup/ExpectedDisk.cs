namespace FiBackup.Operator.Tests.Backup;

/// <summary>
/// What the guest should see on one disk, kept as a sparse raw file: every write the test makes
/// to the VM is made here too. Saving a copy at each backup gives the exact expected content of
/// every restore point, compared with `qemu-img compare` after a restore.
/// </summary>
public sealed class ExpectedDisk
{
    private readonly string directory;

    public ExpectedDisk(string directory, string target, long size)
    {
        this.directory = directory;
        Target = target;
        Current = Path.Combine(directory, $"expected-{target}.raw");
        using var file = new FileStream(Current, FileMode.CreateNew);
        file.SetLength(size);
    }

    public string Target { get; }
    public string Current { get; }

    public void Write(long offset, long length, byte pattern)
    {
        using var file = new FileStream(Current, FileMode.Open, FileAccess.Write);
        file.Position = offset;
        var chunk = new byte[Math.Min(length, 1 << 20)];
        Array.Fill(chunk, pattern);
        for (var left = length; left > 0; left -= chunk.Length)
            file.Write(chunk, 0, (int)Math.Min(chunk.Length, left));
    }

    /// <summary>Freezes the current expectation as the one of restore point <paramref name="pointId"/>.</summary>
    public string SaveAs(string pointId)
    {
        var saved = PointImage(pointId);
        File.Copy(Current, saved);
        return saved;
    }

    public string PointImage(string pointId) => Path.Combine(directory, $"expected-{Target}-{pointId}.raw");
}
