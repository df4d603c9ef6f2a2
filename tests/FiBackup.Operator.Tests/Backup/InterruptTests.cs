using System.CommandLine;
using FiBackup.Operator.Cli;
using FiBackup.Testing.Libvirt;

namespace FiBackup.Operator.Tests.Backup;

/// <summary>Ctrl-C or SIGTERM (the command's cancellation token): what the user is told.</summary>
[Collection(LibvirtCollection.Name)]
public sealed class InterruptTests(LibvirtFixture fixture)
{
    [Fact]
    public async Task An_interrupted_backup_says_the_next_run_finishes_or_undoes_it_without_claiming_nothing_was_left()
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture);
        var output = new StringWriter();
        var error = new StringWriter();
        using var interrupted = new CancellationTokenSource();
        await interrupted.CancelAsync();

        var exit = await FibackupCommandLine.InvokeAsync(
            ["backup", "--connect", LibvirtFixture.Uri, "--domain", scenario.Domain.Name, "--repository", scenario.Repository],
            new InvocationConfiguration { Output = output, Error = error }, interrupted.Token);

        Assert.Equal(130, exit);
        Assert.Contains("fibackup: interrupted; the next run for the domain finishes or undoes whatever this one left unfinished", error.ToString());
        Assert.DoesNotContain("nothing was left half-done", error.ToString());
    }
}
