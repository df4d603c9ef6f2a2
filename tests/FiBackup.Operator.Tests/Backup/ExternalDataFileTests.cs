using FiBackup.Operator.Tests.Cli;
using FiBackup.Testing.Libvirt;

namespace FiBackup.Operator.Tests.Backup;

/// <summary>
/// A qcow2 image whose guest data lives in an external data file (qemu-img create -o data_file=...):
/// copying the qcow2 file alone would back up metadata without data, so the backup is refused
/// before anything changes, naming the disk and the data file.
/// </summary>
[Collection(LibvirtCollection.Name)]
public sealed class ExternalDataFileTests(LibvirtFixture fixture)
{
    [Fact]
    public async Task A_disk_with_an_external_data_file_is_refused_naming_the_disk_and_the_data_file_and_nothing_changes()
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture, running: false);
        var image = scenario.Domain.Disk("vda").Path;
        var dataFile = scenario.Domain.PathIn("vda.data");
        File.Delete(image);
        await HostTool.RunAsync("qemu-img", "create", "-q", "-f", "qcow2", "-o", $"data_file={dataFile}", image, BackupScenario.DiskBytes.ToString());
        await HostTool.RunAsync("qemu-io", "-f", "qcow2", "-c", "write -P 0x71 0 1M", image);
        var before = await UntouchedState.CaptureAsync(scenario);

        var run = await Fibackup.RunAsync("backup", "--connect", LibvirtFixture.Uri, "--domain", scenario.Domain.Name,
            "--repository", scenario.Repository);

        CliError.AssertFailed(run, CliError.InvalidInput, "disk vda", image, dataFile, "external data file");
        await before.AssertUnchangedAsync(scenario, run);
    }
}
