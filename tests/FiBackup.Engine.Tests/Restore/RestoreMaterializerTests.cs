using FiBackup.Engine.Errors;
using FiBackup.Engine.Restore;
using FiBackup.Engine.Tools;
using FiBackup.Testing.Repositories;

namespace FiBackup.Engine.Tests.Restore;

public sealed class RestoreMaterializerTests : IDisposable
{
    private static readonly DateTimeOffset Day1 = new(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);
    private readonly TestRepository _repository = TestRepository.Create();
    private readonly RestoreMaterializer _materializer = new();

    public void Dispose() => _repository.Dispose();

    private async Task<SyntheticDomain> ThreePointsAsync()
    {
        var domain = _repository.AddDomain("hv1", "web-1");
        for (var i = 0; i < 3; i++) await domain.BackupAsync(Day1.AddDays(i));
        return domain;
    }

    [Fact]
    public async Task A_restored_chain_lives_in_the_target_directory_and_has_the_points_content()
    {
        var domain = await ThreePointsAsync();
        var point = domain.Points[2];
        var target = Path.Combine(_repository.WorkDirectory, "restored", "new"); // does not exist yet
        var reports = new List<RestoreProgress>();

        var disks = await _materializer.MaterializeAsync(domain.Layout, point, null, target, "web-1-copy", flatten: false,
            new SynchronousProgress<RestoreProgress>(reports.Add), CancellationToken.None);

        Assert.Equal(["vda", "vdb"], disks.Select(d => d.Target));
        var vda = disks[0];
        Assert.Equal(
            ["web-1-copy-vda-000-full.qcow2", "web-1-copy-vda-001-20261124T020000Z.qcow2", "web-1-copy-vda-002-20261125T020000Z.qcow2"],
            vda.Files.Select(Path.GetFileName));
        Assert.Equal(vda.Files[^1], vda.Image);
        foreach (var disk in disks)
        {
            Assert.True(await QemuTools.SameContentAsync(disk.Image, domain.ExpectedImage(point.Id, disk.Target)));
            var chain = await QemuImg.BackingChainAsync(disk.Image, CancellationToken.None, forceShare: false);
            Assert.Equal(disk.Files.Reverse(), chain.Select(i => i.FileName));
            Assert.Equal([Path.GetFileName(disk.Files[1]), Path.GetFileName(disk.Files[0]), null], chain.Select(i => i.BackingFileName));
        }
        Assert.Equal(point.Disks.Sum(d => d.Files.Sum(f => f.Size)), reports[^1].BytesDone);
        Assert.Equal(reports[^1].BytesTotal, reports[^1].BytesDone);
        await RestorePointAssert.VerifiesAsync(domain); // the repository is untouched
    }

    [Fact]
    public async Task A_point_whose_files_a_prune_rewrote_restores_as_a_chain_with_the_usual_names()
    {
        var domain = await ThreePointsAsync();
        await new FiBackup.Engine.Prune.Pruner(TimeZoneInfo.Utc, TimeProvider.System)
            .PruneAsync(domain.Layout, new FiBackup.Engine.Prune.RetentionPolicy(2, 0, 0, 0), dryRun: false, CancellationToken.None);
        var point = new FiBackup.Engine.Repository.ManifestStore(domain.Layout).Find(domain.Points[2].PointId)!;
        Assert.Contains(".p", point.Disks[0].Files[0].Path); // the prune made a new full and rebased the newest point on it

        var disks = await _materializer.MaterializeAsync(domain.Layout, point, null, _repository.Scratch("after-prune"), "web-1", flatten: false, null, CancellationToken.None);

        Assert.Equal(["web-1-vda-000-full.qcow2", "web-1-vda-001-20261125T020000Z.qcow2"], disks[0].Files.Select(Path.GetFileName));
        foreach (var disk in disks)
            Assert.True(await QemuTools.SameContentAsync(disk.Image, domain.ExpectedImage(point.Id, disk.Target)));
    }

    [Fact]
    public async Task A_flattened_restore_is_one_self_contained_image_per_disk()
    {
        var domain = await ThreePointsAsync();
        var point = domain.Points[1];
        var target = _repository.Scratch("flat");

        var disks = await _materializer.MaterializeAsync(domain.Layout, point, null, target, "web-1", flatten: true, null, CancellationToken.None);

        Assert.Equal(["web-1-vda.qcow2", "web-1-vdb.qcow2"], disks.Select(d => Path.GetFileName(d.Image)));
        foreach (var disk in disks)
        {
            Assert.Null(await QemuTools.BackingNameAsync(disk.Image));
            Assert.True(await QemuTools.SameContentAsync(disk.Image, domain.ExpectedImage(point.Id, disk.Target)));
        }
        Assert.Equal(2, Directory.GetFiles(target).Length);
    }

    [Fact]
    public async Task Only_the_chosen_disks_are_restored()
    {
        var domain = await ThreePointsAsync();
        var target = _repository.Scratch("subset");

        var disks = await _materializer.MaterializeAsync(domain.Layout, domain.Points[2], ["vdb"], target, "web-1", flatten: true, null, CancellationToken.None);

        Assert.Equal("vdb", Assert.Single(disks).Target);
        Assert.Equal(["web-1-vdb.qcow2"], Directory.GetFiles(target).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_corrupt_repository_file_is_refused_by_name_and_the_restore_leaves_nothing_behind()
    {
        var domain = await ThreePointsAsync();
        var bad = domain.Layout.Resolve(domain.Points[1].Disks[1].Files[1].Path);
        await using (var stream = new FileStream(bad, FileMode.Open, FileAccess.ReadWrite)) { stream.Position = stream.Length - 1; stream.WriteByte(0x42); }
        var target = Path.Combine(_repository.WorkDirectory, "never");

        foreach (var flatten in new[] { false, true })
        {
            var error = await Assert.ThrowsAsync<FibackupException>(() =>
                _materializer.MaterializeAsync(domain.Layout, domain.Points[2], null, target, "web-1", flatten, null, CancellationToken.None));
            Assert.Contains(bad, error.Message);
            Assert.Contains("corrupt", error.Message);
            Assert.False(Directory.Exists(target), "the directory the restore created is removed with everything in it");
        }
    }

    [Fact]
    public async Task An_existing_file_is_never_overwritten_and_nothing_is_created()
    {
        var domain = await ThreePointsAsync();
        var target = _repository.Scratch("busy");
        var existing = Path.Combine(target, "web-1-vdb-001-20261124T020000Z.qcow2");
        await File.WriteAllTextAsync(existing, "precious");

        var error = await Assert.ThrowsAsync<InvalidInputException>(() =>
            _materializer.MaterializeAsync(domain.Layout, domain.Points[2], null, target, "web-1", flatten: false, null, CancellationToken.None));

        Assert.Contains(existing, error.Message);
        Assert.Equal("precious", await File.ReadAllTextAsync(existing));
        Assert.Equal([existing], Directory.GetFiles(target));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("/var/lib/libvirt/images/../../../etc")]
    public async Task A_target_directory_with_dot_dot_is_refused(string directory)
    {
        var domain = await ThreePointsAsync();

        var error = await Assert.ThrowsAsync<InvalidInputException>(() =>
            _materializer.MaterializeAsync(domain.Layout, domain.Points[0], null, directory, "web-1", flatten: true, null, CancellationToken.None));

        Assert.Contains("'..'", error.Message);
    }

    [Fact]
    public async Task An_unknown_disk_is_refused_naming_the_disks_the_point_has()
    {
        var domain = await ThreePointsAsync();

        var error = await Assert.ThrowsAsync<InvalidInputException>(() =>
            _materializer.MaterializeAsync(domain.Layout, domain.Points[0], ["vdz"], _repository.Scratch("x"), "web-1", flatten: true, null, CancellationToken.None));

        Assert.Contains("\"vdz\"", error.Message);
        Assert.Contains("vda, vdb", error.Message);
    }

    /// <summary>Progress&lt;T&gt; posts to the thread pool; tests want the reports in order, at once.</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
