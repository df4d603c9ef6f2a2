using System.Security.Cryptography;
using FiBackup.Engine.Copy;
using FiBackup.Engine.Errors;
using FiBackup.Engine.Tools;
using Microsoft.Extensions.Time.Testing;
using static FiBackup.Engine.Tests.Copy.TestImages;

namespace FiBackup.Engine.Tests.Copy;

public sealed class SparseFileCopierTests : IDisposable
{
    private readonly ScratchDirectory _scratch = new();
    private readonly SparseFileCopier _copier = new();

    public void Dispose() => _scratch.Dispose();

    [Theory]
    [InlineData(64 << 10)]
    [InlineData(CopyOptions.DefaultBufferSize)]
    [InlineData(4 << 20)]
    public async Task A_copied_qcow2_image_has_the_sources_bytes_and_the_hash_sha256sum_prints(int bufferSize)
    {
        var source = _scratch.File("disk.qcow2");
        await CreateQcow2Async(source, "64M");
        await WritePatternAsync(source, 0xab, 1 * MiB, 64 << 10);
        await WritePatternAsync(source, 0xcd, 10 * MiB, 1 * MiB);
        await WritePatternAsync(source, 0xef, 40 * MiB, 3 * MiB);
        var destination = _scratch.File("repo/chains/c/vda/000-full.qcow2");

        var result = await _copier.CopyIntoRepositoryAsync(source, destination,
            new CopyOptions { BufferSize = bufferSize }, CancellationToken.None);

        Assert.Equal(File.ReadAllBytes(source), File.ReadAllBytes(destination));
        Assert.Equal(await Sha256SumAsync(destination), result.Sha256);
        Assert.Equal(new FileInfo(source).Length, result.FileLength);
        Assert.True(await QemuImg.CompareAsync(source, destination, CancellationToken.None));
        Assert.True(await ReadsPatternAsync(destination, 0xcd, 10 * MiB, 1 * MiB));
        Assert.Empty(PartialFiles(_scratch.Path));
    }

    [Fact]
    public async Task Holes_in_the_source_are_not_copied_and_stay_holes_in_the_copy()
    {
        var source = _scratch.File("sparse.raw");
        CreateSparseFile(source, 256L * MiB, (0, MiB), (100L * MiB, MiB), (255L * MiB, MiB));
        var destination = _scratch.File("repo/sparse.raw");

        var result = await _copier.CopyIntoRepositoryAsync(source, destination, new CopyOptions(), CancellationToken.None);

        Assert.Equal(256L * MiB, result.FileLength);
        Assert.Equal(256L * MiB, new FileInfo(destination).Length);
        Assert.InRange(result.DataBytes, 3L * MiB, 4L * MiB);
        Assert.InRange(await AllocatedBytesAsync(destination), 3L * MiB, 4L * MiB);
        Assert.Equal(await Sha256SumAsync(source), result.Sha256);
        Assert.Equal(await Sha256SumAsync(destination), result.Sha256);
    }

    [Fact]
    public async Task A_copy_longer_than_the_flush_and_read_ahead_windows_has_the_sources_bytes()
    {
        // 200 MiB of data in four extents with holes between: read-ahead crosses holes, and the writer
        // passes BackgroundFlush's 64 MiB window three times, so real fdatasyncs run during the copy.
        var source = _scratch.File("large.raw");
        CreateSparseFile(source, 512L * MiB, (0, 50 * MiB), (100L * MiB, 50 * MiB), (300L * MiB, 50 * MiB),
            (462L * MiB, 50 * MiB));
        var destination = _scratch.File("repo/large.raw");

        var result = await _copier.CopyIntoRepositoryAsync(source, destination, new CopyOptions(), CancellationToken.None);

        Assert.Equal(200L * MiB, result.DataBytes);
        Assert.Equal(await Sha256SumAsync(source), result.Sha256);
        Assert.Equal(await Sha256SumAsync(destination), result.Sha256);
        Assert.InRange(await AllocatedBytesAsync(destination), 200L * MiB, 201L * MiB);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Zero_blocks_inside_data_are_left_as_holes_unless_told_to_write_them(bool skipZeroBlocks)
    {
        // Every byte allocated: 1 MiB random, 14 MiB of written zeros, 1 MiB random.
        var source = _scratch.File("allocated.raw");
        var content = new byte[16 * MiB];
        RandomNumberGenerator.Fill(content.AsSpan(0, MiB));
        RandomNumberGenerator.Fill(content.AsSpan(15 * MiB));
        File.WriteAllBytes(source, content);
        Assert.True(await AllocatedBytesAsync(source) >= 16L * MiB);
        var destination = _scratch.File("repo/allocated.raw");

        var result = await _copier.CopyIntoRepositoryAsync(source, destination,
            new CopyOptions { SkipZeroBlocks = skipZeroBlocks }, CancellationToken.None);

        // DataBytes is what the repository file stores: the skipped zeros stayed holes.
        Assert.Equal(skipZeroBlocks ? 2L * MiB : 16L * MiB, result.DataBytes);
        Assert.Equal(content, File.ReadAllBytes(destination));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), result.Sha256);
        var allocated = await AllocatedBytesAsync(destination);
        if (skipZeroBlocks) Assert.InRange(allocated, 2L * MiB, 3L * MiB);
        else Assert.True(allocated >= 16L * MiB, $"{allocated} bytes allocated");
    }

    [Fact]
    public async Task Progress_only_grows_and_ends_at_the_data_total()
    {
        var source = _scratch.File("sparse.raw");
        CreateSparseFile(source, 64L * MiB, (0, 4 * MiB), (32L * MiB, 4 * MiB));
        var reports = new List<CopyProgress>();
        // Each clock reading moves 100 ms on, so the 250 ms throttle lets reports through mid-copy.
        var time = new FakeTimeProvider { AutoAdvanceAmount = TimeSpan.FromMilliseconds(100) };

        var result = await _copier.CopyIntoRepositoryAsync(source, _scratch.File("repo/sparse.raw"),
            new CopyOptions { BufferSize = 64 << 10, Progress = new CollectingProgress(reports), Time = time },
            CancellationToken.None);

        Assert.Equal(new CopyProgress(0, result.DataBytes), reports[0]);
        Assert.Equal(new CopyProgress(result.DataBytes, result.DataBytes), reports[^1]);
        Assert.Contains(reports, r => r.BytesDone > 0 && r.BytesDone < r.BytesTotal);
        Assert.All(reports, r => Assert.Equal(result.DataBytes, r.BytesTotal));
        Assert.All(reports.Zip(reports.Skip(1)), pair => Assert.True(pair.First.BytesDone <= pair.Second.BytesDone));
    }

    [Fact]
    public async Task An_existing_destination_is_refused_and_left_as_it_was()
    {
        var source = _scratch.File("a.raw");
        CreateSparseFile(source, MiB, (0, 4096));
        var destination = _scratch.File("repo/000-full.qcow2");
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        File.WriteAllText(destination, "an older restore point");

        var error = await Assert.ThrowsAsync<FibackupException>(() =>
            _copier.CopyIntoRepositoryAsync(source, destination, new CopyOptions(), CancellationToken.None));

        Assert.Contains(destination, error.Message);
        Assert.Contains("never overwritten", error.Message);
        Assert.Equal("an older restore point", File.ReadAllText(destination));
        Assert.Empty(PartialFiles(_scratch.Path));
    }

    [Fact]
    public async Task A_copy_cancelled_midway_leaves_neither_a_partial_file_nor_the_destination()
    {
        var source = _scratch.File("big.raw");
        CreateSparseFile(source, 32L * MiB, (0, 32 * MiB));
        var destination = _scratch.File("repo/big.raw");
        using var cancel = new CancellationTokenSource();
        var seen = new List<CopyProgress>();
        // Cancel from the first report that shows data copied: the copy is then under way.
        var progress = new CollectingProgress(seen, r => { if (r.BytesDone > 0) cancel.Cancel(); });
        var time = new FakeTimeProvider { AutoAdvanceAmount = TimeSpan.FromMilliseconds(100) };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _copier.CopyIntoRepositoryAsync(source, destination,
            new CopyOptions { BufferSize = 64 << 10, Progress = progress, Time = time }, cancel.Token));

        Assert.Contains(seen, r => r.BytesDone > 0 && r.BytesDone < r.BytesTotal);
        Assert.False(File.Exists(destination));
        Assert.Empty(PartialFiles(_scratch.Path));
    }

    [Fact]
    public async Task A_missing_source_gives_an_error_naming_it()
    {
        var source = _scratch.File("gone.qcow2");
        var destination = _scratch.File("repo/gone.qcow2");

        var error = await Assert.ThrowsAsync<FibackupException>(() =>
            _copier.CopyIntoRepositoryAsync(source, destination, new CopyOptions(), CancellationToken.None));

        Assert.Contains(source, error.Message);
        Assert.Contains("does not exist", error.Message);
        Assert.False(File.Exists(destination));
        Assert.Empty(PartialFiles(_scratch.Path));
    }

    [Fact]
    public async Task A_source_that_cannot_be_read_gives_an_error_naming_it()
    {
        var source = _scratch.File("not-a-file");
        Directory.CreateDirectory(source);

        var error = await Assert.ThrowsAsync<FibackupException>(() =>
            _copier.CopyIntoRepositoryAsync(source, _scratch.File("repo/x"), new CopyOptions(), CancellationToken.None));

        Assert.StartsWith($"cannot open source image {source}", error.Message);
    }

    [Fact]
    public async Task A_source_that_shrinks_during_the_copy_gives_an_error_naming_it_and_leaves_nothing()
    {
        var source = _scratch.File("shrinking.raw");
        CreateSparseFile(source, 32L * MiB, (0, 32 * MiB));
        var destination = _scratch.File("repo/shrinking.raw");
        var progress = new CollectingProgress([], r =>
        {
            if (r.BytesDone == 0 || new FileInfo(source).Length == MiB) return;
            using var file = File.OpenHandle(source, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            RandomAccess.SetLength(file, MiB);
        });
        var time = new FakeTimeProvider { AutoAdvanceAmount = TimeSpan.FromMilliseconds(100) };

        var error = await Assert.ThrowsAsync<FibackupException>(() => _copier.CopyIntoRepositoryAsync(source, destination,
            new CopyOptions { BufferSize = 64 << 10, Progress = progress, Time = time }, CancellationToken.None));

        Assert.Equal($"source image {source} became shorter while it was being copied (it must not change during a backup)",
            error.Message);
        Assert.False(File.Exists(destination));
        Assert.Empty(PartialFiles(_scratch.Path));
    }

    [Fact]
    public async Task A_partial_file_that_another_copy_is_writing_is_neither_truncated_nor_deleted()
    {
        var source = _scratch.File("a.raw");
        CreateSparseFile(source, MiB, (0, 65536));
        var destination = _scratch.File("repo/a.raw");
        Directory.CreateDirectory(_scratch.File("repo"));
        await using var other = new FileStream(destination + ".partial", FileMode.CreateNew, FileAccess.Write, FileShare.None);
        other.Write("in progress"u8);
        other.Flush();

        var error = await Assert.ThrowsAsync<FibackupException>(() =>
            _copier.CopyIntoRepositoryAsync(source, destination, new CopyOptions(), CancellationToken.None));

        Assert.StartsWith($"cannot write repository file {destination}", error.Message);
        Assert.Equal(11, new FileInfo(destination + ".partial").Length);
        Assert.False(File.Exists(destination));
    }

    [Fact]
    public async Task An_empty_source_gives_an_empty_copy_with_the_hash_of_nothing()
    {
        var source = _scratch.File("empty.raw");
        File.WriteAllBytes(source, []);

        var result = await _copier.CopyIntoRepositoryAsync(source, _scratch.File("repo/empty.raw"), new CopyOptions(),
            CancellationToken.None);

        Assert.Equal(new CopyResult(0, 0, Convert.ToHexStringLower(SHA256.HashData(ReadOnlySpan<byte>.Empty))), result);
        Assert.True(File.Exists(_scratch.File("repo/empty.raw")));
    }

    internal sealed class CollectingProgress(List<CopyProgress> reports, Action<CopyProgress>? onReport = null)
        : IProgress<CopyProgress>
    {
        public void Report(CopyProgress value)
        {
            lock (reports) reports.Add(value);
            onReport?.Invoke(value);
        }
    }
}
