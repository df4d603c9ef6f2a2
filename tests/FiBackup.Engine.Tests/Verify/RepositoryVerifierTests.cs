using FiBackup.Engine.Errors;
using FiBackup.Engine.Repository;
using FiBackup.Engine.Verify;
using FiBackup.Testing.Repositories;

namespace FiBackup.Engine.Tests.Verify;

public sealed class RepositoryVerifierTests : IDisposable
{
    private static readonly DateTimeOffset Monday = new(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);
    private readonly TestRepository _repository = TestRepository.Create();

    public void Dispose() => _repository.Dispose();

    private async Task<SyntheticDomain> ThreePointsAsync()
    {
        var domain = _repository.AddDomain("hv1", "web-1");
        for (var day = 0; day < 3; day++) await domain.BackupAsync(Monday.AddDays(day));
        return domain;
    }

    private static RepositoryFile FileOf(RestorePointManifest point, string target, int index) =>
        point.Disks.Single(d => d.Target == target).Files[index];

    [Fact]
    public async Task An_intact_repository_verifies_with_every_file_hashed_once()
    {
        var domain = await ThreePointsAsync();

        var report = await new RepositoryVerifier().VerifyAsync(domain.Layout, null, CancellationToken.None);

        Assert.True(report.Intact);
        Assert.Equal(domain.Points.Select(p => p.Id), report.Points.Select(p => p.PointId));
        Assert.Equal(6, report.FilesChecked); // 3 files per disk, 2 disks, though the points list 12
        Assert.Equal(2 * (1 + 2 + 3), report.Points.Sum(p => p.FilesChecked));
    }

    [Fact]
    public async Task A_flipped_byte_in_an_incremental_is_reported_with_its_path_for_every_point_using_it()
    {
        var domain = await ThreePointsAsync();
        var file = FileOf(domain.Points[1], "vdb", 1);
        var path = domain.Layout.Resolve(file.Path);
        await using (var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
        {
            stream.Position = stream.Length - 100;
            var b = stream.ReadByte();
            stream.Position = stream.Length - 100;
            stream.WriteByte((byte)(b ^ 0xff));
        }

        var report = await new RepositoryVerifier().VerifyAsync(domain.Layout, null, CancellationToken.None);

        Assert.False(report.Intact);
        Assert.True(report.Points[0].Intact);
        foreach (var point in report.Points.Skip(1))
        {
            var problem = Assert.Single(point.Problems);
            Assert.Equal(ProblemKind.Sha256Differs, problem.Kind);
            Assert.Equal(file.Path, problem.RelativePath);
            Assert.Equal(path, problem.FullPath);
            Assert.Contains(file.Sha256, problem.Detail);
        }
    }

    [Fact]
    public async Task A_missing_file_is_reported_as_missing()
    {
        var domain = await ThreePointsAsync();
        var file = FileOf(domain.Points[2], "vda", 2);
        File.Delete(domain.Layout.Resolve(file.Path));

        var report = await new RepositoryVerifier().VerifyAsync(domain.Layout, null, CancellationToken.None);

        var problem = Assert.Single(report.Points.SelectMany(p => p.Problems));
        Assert.Equal((ProblemKind.Missing, file.Path, "20261125T020000Z"), (problem.Kind, problem.RelativePath, report.Points[2].PointId));
    }

    [Fact]
    public async Task A_damaged_qcow2_header_is_reported_as_corruption_by_qemu_img_check()
    {
        var domain = await ThreePointsAsync();
        var file = FileOf(domain.Points[0], "vda", 0);
        var path = domain.Layout.Resolve(file.Path);
        await using (var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
        {
            // The L1 table offset (header bytes 40..47) now points past the end of the file.
            stream.Position = 40;
            stream.Write([0x00, 0x00, 0x00, 0x7f, 0x00, 0x00, 0x00, 0x00]);
        }

        var report = await new RepositoryVerifier().VerifyAsync(domain.Layout, RestorePointId.Parse(domain.Points[0].Id), CancellationToken.None);

        var kinds = report.Points.Single().Problems.Where(p => p.RelativePath == file.Path).Select(p => p.Kind).ToList();
        Assert.Contains(ProblemKind.Sha256Differs, kinds);
        Assert.Contains(ProblemKind.Corrupt, kinds);
    }

    [Fact]
    public async Task A_header_naming_another_backing_file_than_the_manifest_is_reported()
    {
        var domain = await ThreePointsAsync();
        var point = domain.Points[2];
        var file = FileOf(point, "vda", 2);
        // Rewrite the manifest so it claims the file is backed by the full image directly.
        var wrong = point with
        {
            Disks = point.Disks.Select(d => d.Target != "vda" ? d : d with
            {
                Files = [d.Files[0], d.Files[2] with { Backing = Path.GetFileName(d.Files[0].Path) }],
            }).ToList(),
        };
        await new ManifestStore(domain.Layout).WriteAsync(wrong, CancellationToken.None, replaceExisting: true);

        var report = await new RepositoryVerifier().VerifyAsync(domain.Layout, point.PointId, CancellationToken.None);

        var problem = Assert.Single(report.Points.Single().Problems, p => p.Kind == ProblemKind.BackingDiffers);
        Assert.Equal(file.Path, problem.RelativePath);
        Assert.Contains("\"001-20261124T020000Z.qcow2\"", problem.Detail);
    }

    [Fact]
    public async Task Files_listed_out_of_chain_order_are_reported()
    {
        var domain = await ThreePointsAsync();
        var point = domain.Points[2];
        var swapped = point with
        {
            Disks = point.Disks.Select(d => d.Target != "vdb" ? d : d with { Files = [d.Files[0], d.Files[2], d.Files[1]] }).ToList(),
        };
        await new ManifestStore(domain.Layout).WriteAsync(swapped, CancellationToken.None, replaceExisting: true);

        var report = await new RepositoryVerifier().VerifyAsync(domain.Layout, point.PointId, CancellationToken.None);

        var problems = report.Points.Single().Problems;
        Assert.All(problems, p => Assert.Equal(ProblemKind.ChainOrder, p.Kind));
        Assert.Equal([FileOf(point, "vdb", 2).Path, FileOf(point, "vdb", 1).Path], problems.Select(p => p.RelativePath));
    }

    [Fact]
    public async Task An_unreadable_manifest_is_a_broken_point_and_the_others_are_still_verified()
    {
        var domain = await ThreePointsAsync();
        await File.WriteAllTextAsync(domain.Layout.ManifestPath(domain.Points[1].PointId), "{ not json");

        var report = await new RepositoryVerifier().VerifyAsync(domain.Layout, null, CancellationToken.None);

        Assert.Equal([true, false, true], report.Points.Select(p => p.Intact));
        Assert.Equal(ProblemKind.ManifestUnreadable, report.Points[1].Problems.Single().Kind);
        Assert.Equal("points/20261124T020000Z.json", report.Points[1].Problems.Single().RelativePath);
    }

    [Fact]
    public async Task Verifying_a_point_that_does_not_exist_is_an_input_error_naming_it()
    {
        var domain = await ThreePointsAsync();

        var error = await Assert.ThrowsAsync<InvalidInputException>(() =>
            new RepositoryVerifier().VerifyAsync(domain.Layout, RestorePointId.Parse("20200101T000000Z"), CancellationToken.None));

        Assert.Contains("20200101T000000Z", error.Message);
        Assert.Equal(EngineField.Point, error.Field);
        Assert.Equal(ErrorReason.PointNotFound, error.Reason);
    }
}
