using FiBackup.Engine.Repository.Locking;
using FiBackup.Engine.Errors;
using FiBackup.Engine.Prune;
using FiBackup.Engine.Repository;
using FiBackup.Testing.Repositories;
using static FiBackup.Testing.Repositories.RestorePointAssert;

namespace FiBackup.Engine.Tests.Prune;

public sealed class PrunerTests : IDisposable
{
    private static readonly DateTimeOffset Day1 = new(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);
    private readonly TestRepository _repository = TestRepository.Create();
    private readonly Pruner _pruner = new(TimeZoneInfo.Utc, TimeProvider.System);

    public void Dispose() => _repository.Dispose();

    /// <summary>One chain: a full and three incrementals, on days 1, 2, 2 (evening), 3.</summary>
    private async Task<SyntheticDomain> OneChainAsync()
    {
        var domain = _repository.AddDomain("hv1", "web-1");
        await domain.BackupAsync(Day1);
        await domain.BackupAsync(Day1.AddDays(1));
        await domain.BackupAsync(Day1.AddDays(1).AddHours(18));
        await domain.BackupAsync(Day1.AddDays(2));
        return domain;
    }

    private static IReadOnlyList<string> PointIds(SyntheticDomain domain) =>
        new ManifestStore(domain.Layout).List().Select(p => p.Id).ToList();

    private static IReadOnlyList<string> FilesOf(RestorePointManifest point) =>
        point.Disks.SelectMany(d => d.Files).Select(f => f.Path).ToList();

    private static async Task AssertPrunedCorrectlyAsync(SyntheticDomain domain, PruneResult result)
    {
        await EveryPointRestoresExactlyAsync(domain);
        await VerifiesAsync(domain);
        // Space is reclaimed: nothing is left under chains/ that no manifest lists.
        var referenced = new ManifestStore(domain.Layout).List().SelectMany(FilesOf).Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(referenced, ChainFiles(domain));
        Assert.All(result.FilesDeleted, f => Assert.False(File.Exists(domain.Layout.Resolve(f))));
        Assert.Empty(Directory.EnumerateFiles(domain.Layout.JournalDirectory));
    }

    [Fact]
    public async Task Dropping_a_middle_incremental_folds_it_into_the_next_retained_point()
    {
        var domain = await OneChainAsync();
        var (full, dropped, next, newest) = (domain.Points[0], domain.Points[1], domain.Points[2], domain.Points[3]);

        // keep-daily 3: day 3's point, day 2's evening point, day 1's full.
        var result = await _pruner.PruneAsync(domain.Layout, new RetentionPolicy(0, 3, 0, 0), dryRun: false, CancellationToken.None);

        Assert.Equal([full.Id, next.Id, newest.Id], PointIds(domain));
        Assert.Equal([dropped.Id], result.Plan.Dropped.Select(p => p.Id));
        await AssertPrunedCorrectlyAsync(domain, result);
        var nextNow = new ManifestStore(domain.Layout).Find(next.PointId)!;
        foreach (var disk in nextNow.Disks)
        {
            // full + one merged file, backed by the full by its relative name, under a new name.
            Assert.Equal(2, disk.Files.Count);
            Assert.Equal(full.Disks.Single(d => d.Target == disk.Target).Files[0], disk.Files[0]);
            Assert.Matches(@"/002-20261124T200000Z\.p\d{8}T\d{6}Z\.qcow2$", disk.Files[1].Path);
            Assert.Equal("000-full.qcow2", await QemuTools.BackingNameAsync(domain.Layout.Resolve(disk.Files[1].Path)));
            Assert.Equal(SparseFiles.DataBytes(domain.Layout.Resolve(disk.Files[1].Path)), disk.Bytes);
            Assert.Equal(disk.Files[1].Size, disk.FileLength);
        }
        Assert.All(FilesOf(dropped).Except(FilesOf(full)), f => Assert.False(File.Exists(domain.Layout.Resolve(f))));
        Assert.Equal(4, result.FilesWritten.Count); // merged next + renamed newest, per disk
        Assert.True(result.BytesDeleted > 0);
    }

    [Fact]
    public async Task A_rewritten_point_records_the_data_bytes_of_its_new_file_as_a_backup_does_not_its_length()
    {
        var domain = await OneChainAsync();
        var dataBefore = ChainFiles(domain).ToDictionary(f => f, f => SparseFiles.DataBytes(domain.Layout.Resolve(f)));

        // keep-last 2: a new full for the first kept point (qemu-img convert) and a rebased overlay for the second.
        var result = await _pruner.PruneAsync(domain.Layout, new RetentionPolicy(2, 0, 0, 0), dryRun: false, CancellationToken.None);

        Assert.NotEmpty(result.FilesWritten);
        // What prune reports written and deleted counts the same way: data, not lengths.
        Assert.Equal(result.FilesWritten.Sum(f => SparseFiles.DataBytes(domain.Layout.Resolve(f.Path))), result.BytesWritten);
        Assert.NotEqual(result.FilesWritten.Sum(f => f.Size), result.BytesWritten);
        Assert.NotEmpty(result.FilesDeleted);
        Assert.Equal(result.FilesDeleted.Sum(f => dataBefore[f]), result.BytesDeleted);
        var sparse = 0;
        foreach (var point in new ManifestStore(domain.Layout).List())
        foreach (var disk in point.Disks)
        {
            var own = domain.Layout.Resolve(disk.Files[^1].Path);
            Assert.Equal(SparseFiles.DataBytes(own), disk.Bytes);
            Assert.Equal(new FileInfo(own).Length, disk.FileLength);
            if (disk.Bytes != disk.FileLength) sparse++;
        }
        // qcow2 files have holes between their metadata clusters: the two figures differ, so the test tells them apart.
        Assert.True(sparse > 0, "every rewritten file is dense; the test cannot tell data bytes from the file length");
    }

    [Fact]
    public async Task Dropping_the_full_point_makes_the_first_retained_point_a_new_self_contained_full()
    {
        var domain = await OneChainAsync();

        var result = await _pruner.PruneAsync(domain.Layout, new RetentionPolicy(2, 0, 0, 0), dryRun: false, CancellationToken.None);

        Assert.Equal([domain.Points[2].Id, domain.Points[3].Id], PointIds(domain));
        await AssertPrunedCorrectlyAsync(domain, result);
        var first = new ManifestStore(domain.Layout).Find(domain.Points[2].PointId)!;
        Assert.Equal(BackupType.Full, first.Type);
        Assert.Equal(BackupType.Incremental, new ManifestStore(domain.Layout).Find(domain.Points[3].PointId)!.Type);
        foreach (var disk in first.Disks)
        {
            var file = Assert.Single(disk.Files);
            Assert.Null(file.Backing);
            Assert.Matches(@"/000-full-20261124T200000Z\.p\d{8}T\d{6}Z\.qcow2$", file.Path);
            Assert.Null(await QemuTools.BackingNameAsync(domain.Layout.Resolve(file.Path)));
        }
        Assert.DoesNotContain(ChainFiles(domain), f => f.EndsWith("/000-full.qcow2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Keeping_only_the_newest_point_leaves_one_full_image_per_disk()
    {
        var domain = await OneChainAsync();
        var before = ChainFiles(domain).Sum(f => new FileInfo(domain.Layout.Resolve(f)).Length);

        var result = await _pruner.PruneAsync(domain.Layout, new RetentionPolicy(1, 0, 0, 0), dryRun: false, CancellationToken.None);

        Assert.Equal([domain.Points[3].Id], PointIds(domain));
        await AssertPrunedCorrectlyAsync(domain, result);
        Assert.Equal(2, ChainFiles(domain).Count);
        Assert.Equal(8, result.FilesDeleted.Count);
        var after = ChainFiles(domain).Sum(f => new FileInfo(domain.Layout.Resolve(f)).Length);
        Assert.True(after < before, $"{after} bytes after pruning, {before} before");
    }

    [Fact]
    public async Task A_chain_with_no_retained_point_is_deleted_whole_and_the_other_chain_is_folded()
    {
        var domain = _repository.AddDomain("hv1", "db-1");
        await domain.BackupAsync(Day1);
        await domain.BackupAsync(Day1.AddHours(1));
        await domain.BackupAsync(Day1.AddDays(1), full: true);
        await domain.BackupAsync(Day1.AddDays(1).AddHours(1));
        await domain.BackupAsync(Day1.AddDays(1).AddHours(2));
        var oldChain = Path.Combine(domain.Layout.Directory, "chains", domain.Points[0].Chain);
        Assert.True(Directory.Exists(oldChain));

        var result = await _pruner.PruneAsync(domain.Layout, new RetentionPolicy(2, 0, 0, 0), dryRun: false, CancellationToken.None);

        Assert.Equal([domain.Points[3].Id, domain.Points[4].Id], PointIds(domain));
        await AssertPrunedCorrectlyAsync(domain, result);
        Assert.False(Directory.Exists(oldChain));
    }

    [Fact]
    public async Task Retained_points_in_two_chains_each_stay_restorable()
    {
        var domain = _repository.AddDomain("hv1", "db-2");
        await domain.BackupAsync(Day1);
        await domain.BackupAsync(Day1.AddHours(1));
        await domain.BackupAsync(Day1.AddHours(2));
        await domain.BackupAsync(Day1.AddDays(1), full: true);
        await domain.BackupAsync(Day1.AddDays(1).AddHours(1));
        await domain.BackupAsync(Day1.AddDays(1).AddHours(2));

        // keep-daily 2: the last point of each chain's day; both fulls and the middle points go.
        var result = await _pruner.PruneAsync(domain.Layout, new RetentionPolicy(0, 2, 0, 0), dryRun: false, CancellationToken.None);

        Assert.Equal([domain.Points[2].Id, domain.Points[5].Id], PointIds(domain));
        await AssertPrunedCorrectlyAsync(domain, result);
        Assert.Equal(4, ChainFiles(domain).Count);
    }

    [Fact]
    public async Task A_second_prune_with_the_same_policy_changes_nothing()
    {
        var domain = await OneChainAsync();
        await _pruner.PruneAsync(domain.Layout, new RetentionPolicy(0, 3, 0, 0), dryRun: false, CancellationToken.None);
        var files = ChainFiles(domain);

        var again = await _pruner.PruneAsync(domain.Layout, new RetentionPolicy(0, 3, 0, 0), dryRun: false, CancellationToken.None);

        Assert.Empty(again.FilesWritten);
        Assert.Empty(again.FilesDeleted);
        Assert.Equal(files, ChainFiles(domain));
    }

    [Fact]
    public async Task A_dry_run_reports_the_plan_and_changes_nothing()
    {
        var domain = await OneChainAsync();
        var before = Snapshot(domain.Layout.Directory);

        var result = await _pruner.PruneAsync(domain.Layout, new RetentionPolicy(1, 0, 0, 0), dryRun: true, CancellationToken.None);

        Assert.True(result.DryRun);
        Assert.Equal(3, result.Plan.Dropped.Count());
        Assert.Equal(before, Snapshot(domain.Layout.Directory));
    }

    [Fact]
    public async Task A_prune_while_another_operation_holds_the_domain_lock_is_refused()
    {
        var domain = await OneChainAsync();
        using var held = DomainLock.Acquire(domain.Layout.LockFile, "fibackup backup", TimeSpan.Zero, CancellationToken.None);

        var error = await Assert.ThrowsAsync<BusyException>(() =>
            _pruner.PruneAsync(domain.Layout, new RetentionPolicy(1, 0, 0, 0), dryRun: false, CancellationToken.None));

        Assert.Contains(domain.Layout.LockFile, error.Message);
        Assert.Equal(4, PointIds(domain).Count);
    }

    [Fact]
    public async Task Prune_refuses_to_build_new_files_from_a_corrupt_one_and_no_point_changes()
    {
        var domain = await OneChainAsync();
        var victim = domain.Layout.Resolve(domain.Points[1].Disks[0].Files[1].Path);
        await using (var stream = new FileStream(victim, FileMode.Open, FileAccess.ReadWrite)) { stream.Position = stream.Length - 10; stream.WriteByte(0x5a); }
        var manifestsBefore = Directory.GetFiles(domain.Layout.PointsDirectory).ToDictionary(f => f, File.ReadAllText);

        var error = await Assert.ThrowsAsync<FibackupException>(() =>
            _pruner.PruneAsync(domain.Layout, new RetentionPolicy(1, 0, 0, 0), dryRun: false, CancellationToken.None));

        Assert.Contains(victim, error.Message);
        Assert.Equal(manifestsBefore, Directory.GetFiles(domain.Layout.PointsDirectory).ToDictionary(f => f, File.ReadAllText));
    }

    [Fact]
    public async Task Recovery_deletes_leftover_partial_and_unreferenced_files_and_finishes_journaled_drops()
    {
        var domain = await OneChainAsync();
        var folder = Path.GetDirectoryName(domain.Layout.Resolve(domain.Points[0].Disks[0].Files[0].Path))!;
        await File.WriteAllTextAsync(Path.Combine(folder, "002-20261124T200000Z.p20261130T000000Z.qcow2.partial"), "half");
        await File.WriteAllTextAsync(Path.Combine(folder, "009-20261130T000000Z.qcow2"), "orphan");
        Directory.CreateDirectory(domain.Layout.JournalDirectory);
        await File.WriteAllTextAsync(Path.Combine(domain.Layout.JournalDirectory, "prune-20261130T000000Z.json"),
            $$"""{"operation":"prune","id":"20261130T000000Z","started":"2026-11-30T00:00:00Z","policy":"x","keep":[],"drop":["{{domain.Points[0].Id}}"]}""");

        var recovery = await _pruner.RecoverAsync(domain.Layout, CancellationToken.None);

        Assert.Equal([domain.Points[0].Id], recovery.ManifestsDeleted);
        Assert.Contains("chains/20261123T020000Z/vda/009-20261130T000000Z.qcow2", recovery.FilesDeleted);
        Assert.Contains("chains/20261123T020000Z/vda/002-20261124T200000Z.p20261130T000000Z.qcow2.partial", recovery.FilesDeleted);
        Assert.Empty(Directory.EnumerateFiles(domain.Layout.JournalDirectory));
        // The full image is still listed by every later point, so it stays.
        Assert.True(File.Exists(domain.Layout.Resolve(domain.Points[0].Disks[0].Files[0].Path)));
        await EveryPointRestoresExactlyAsync(domain);
        await VerifiesAsync(domain);
    }

    [Fact]
    public async Task An_unreadable_prune_journal_entry_stops_the_prune_naming_the_file_and_what_to_do()
    {
        var domain = await OneChainAsync();
        Directory.CreateDirectory(domain.Layout.JournalDirectory);
        var entry = Path.Combine(domain.Layout.JournalDirectory, "prune-20261130T000000Z.json");
        await File.WriteAllTextAsync(entry, "{\"operation\": \"prune\", ");

        var error = await Assert.ThrowsAsync<FibackupException>(() =>
            _pruner.PruneAsync(domain.Layout, new RetentionPolicy(1, 0, 0, 0), dryRun: false, CancellationToken.None));

        Assert.Equal(ErrorReason.RepositoryCorrupt, error.Reason);
        Assert.Contains(entry, error.Message);
        Assert.Contains("move it away and run the prune again", error.Message);
        Assert.Equal(4, PointIds(domain).Count);
        Assert.True(File.Exists(entry));
    }

    [Fact]
    public async Task A_prune_deletes_only_names_fibackup_writes_and_leaves_other_files_under_chains_alone()
    {
        var domain = await OneChainAsync();
        var chains = Path.Combine(domain.Layout.Directory, DomainLayout.ChainsFolder);
        var folder = Path.GetDirectoryName(domain.Layout.Resolve(domain.Points[0].Disks[0].Files[0].Path))!;
        string[] foreign =
        [
            Path.Combine(folder, "web-1-copy-vda-000-full.qcow2"), // a restored image someone put there
            Path.Combine(folder, "notes.txt"),
            Path.Combine(folder, "000-full.qcow2.bak"),
            Path.Combine(Path.GetDirectoryName(folder)!, "002-20261124T020000Z.qcow2"), // a fibackup name, but not in a disk folder
            Path.Combine(chains, "restored", "vda", "vm.img"),
            Path.Combine(chains, "README"),
        ];
        foreach (var file in foreign)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            await File.WriteAllTextAsync(file, "not fibackup's");
        }
        var orphan = Path.Combine(folder, "009-20261130T000000Z.qcow2");
        await File.WriteAllTextAsync(orphan, "orphan");

        var result = await _pruner.PruneAsync(domain.Layout, new RetentionPolicy(2, 0, 0, 0), dryRun: false, CancellationToken.None);

        Assert.All(foreign, f => Assert.True(File.Exists(f), $"prune deleted {f}, which fibackup did not write ({string.Join(", ", result.FilesDeleted)})"));
        Assert.False(File.Exists(orphan), "an unreferenced chain file fibackup wrote was not deleted");
        await EveryPointRestoresExactlyAsync(domain);
        await VerifiesAsync(domain);
    }

    private static Dictionary<string, string> Snapshot(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .ToDictionary(f => f, f => SyntheticDomain.Sha256Of(f));
}
