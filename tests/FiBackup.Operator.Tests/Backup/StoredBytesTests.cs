using System.Text.Json;
using FiBackup.Engine;
using FiBackup.Engine.Repository;
using FiBackup.Operator.Tests.Cli;
using FiBackup.Testing.Libvirt;
using FiBackup.Testing.Repositories;

namespace FiBackup.Operator.Tests.Backup;

/// <summary>
/// `bytes` means one thing everywhere: the data bytes a repository file stores (its allocated
/// extents), not its sparse length. The backup's output, `list --output json` and the manifest
/// show the same figure, measured on the file; the length is `fileLength` beside it.
/// </summary>
[Collection(LibvirtCollection.Name)]
public sealed class StoredBytesTests(LibvirtFixture fixture)
{
    private const long MiB = 1 << 20;

    [Fact]
    public async Task Backup_output_list_and_manifest_agree_on_the_data_bytes_of_full_flattened_and_incremental_files()
    {
        // vda stands on a template, so its full is flattened by qemu-img; vdb's is the sparse copy.
        await using var scenario = await BackupScenario.CreateAsync(fixture,
            options: new TestDomainOptions { DisksWithBackingChain = ["vda"] },
            prepareTemplate: disk => QemuTools.WriteAsync(disk.TemplatePath!, "qcow2", ["write -P 0x5a 8M 2M"]));
        scenario.ExpectTemplateContent("vda", 8 * MiB, 2 * MiB, 0x5a);
        await scenario.WriteAsync("vda", 0, 2 * MiB, 0x11);
        await scenario.WriteAsync("vdb", 4 * MiB, MiB, 0x12);
        var runs = new List<CliRun> { await scenario.BackupAsync() };
        await scenario.WriteAsync("vda", 3 * MiB, MiB, 0x21);
        await scenario.WriteAsync("vdb", 12 * MiB, MiB / 2, 0x22);
        runs.Add(await scenario.BackupAsync());

        var listed = await scenario.ListAsync();
        var sparse = 0;
        for (var i = 0; i < runs.Count; i++)
        {
            var point = listed[i];
            var layout = Path.Combine(scenario.Repository, point.GetProperty("host").GetString()!, scenario.Domain.Name);
            var manifest = JsonSerializer.Deserialize<RestorePointManifest>(
                File.ReadAllBytes(Path.Combine(layout, "points", point.GetProperty("id").GetString() + ".json")), RepositoryJson.Options)!;
            foreach (var disk in manifest.Disks)
            {
                var own = Path.Combine(layout, disk.Files[^1].Path);
                Assert.Equal(SparseFiles.DataBytes(own), disk.Bytes);
                Assert.Equal(new FileInfo(own).Length, disk.FileLength);
                if (disk.Bytes != disk.FileLength) sparse++;
                var shown = point.GetProperty("disks").EnumerateArray().Single(d => d.GetProperty("target").GetString() == disk.Target);
                Assert.Equal(disk.Bytes, shown.GetProperty("bytes").GetInt64());
                Assert.Equal(disk.FileLength, shown.GetProperty("fileLength").GetInt64());
                Assert.Contains($"-> {disk.Files[^1].Path}  {ByteSize.Format(disk.Bytes)} stored (file {ByteSize.Format(disk.FileLength!.Value)})", runs[i].Output);
            }
            Assert.Equal(manifest.Disks.Sum(d => d.Bytes), point.GetProperty("bytes").GetInt64());
        }
        Assert.True(sparse > 0, "no file had holes; the test cannot tell data bytes from file length");
        await scenario.AssertEveryPointRestoresExactlyAsync();
    }
}
