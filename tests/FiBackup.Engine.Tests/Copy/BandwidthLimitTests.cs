using FiBackup.Engine.Copy;
using static FiBackup.Engine.Tests.Copy.TestImages;

namespace FiBackup.Engine.Tests.Copy;

public sealed class BandwidthLimitTests : IDisposable
{
    private readonly ScratchDirectory _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public async Task A_limited_copy_never_runs_ahead_of_the_rate_on_the_injected_clock()
    {
        const long rate = MiB; // bytes per second
        var source = _scratch.File("disk.raw");
        CreateSparseFile(source, 16L * MiB, (0, 2 * MiB), (8L * MiB, 2 * MiB));
        var time = new SignallingTimeProvider();
        var start = time.GetUtcNow();
        var seen = new List<(TimeSpan At, long Done)>();
        var progress = new SparseFileCopierTests.CollectingProgress([], p => seen.Add((time.GetUtcNow() - start, p.BytesDone)));

        var copy = new SparseFileCopier().CopyIntoRepositoryAsync(source, _scratch.File("repo/disk.raw"),
            new CopyOptions { BandwidthBytesPerSecond = rate, Time = time, Progress = progress }, CancellationToken.None);
        // The clock moves only when the copy waits for it, exactly as far as it waits.
        var result = await time.RunAsync(copy);

        Assert.Equal(await Sha256SumAsync(source), result.Sha256);
        var burst = rate / 10;
        var elapsed = time.GetUtcNow() - start;
        // 4 MiB at 1 MiB/s, less the initial burst.
        Assert.InRange(elapsed.TotalSeconds, (4.0 * MiB - burst) / rate, (4.0 * MiB - burst) / rate + 0.01);
        Assert.Contains(seen, s => s.Done > 0 && s.Done < 4L * MiB);
        Assert.All(seen, s => Assert.True(s.Done <= burst + rate * s.At.TotalSeconds,
            $"{s.Done} bytes done after {s.At.TotalSeconds} s"));
    }
}
