using FiBackup.Engine.Errors;
using FiBackup.Engine.Repository;
using FiBackup.Operator.Cli;

namespace FiBackup.Operator.Tests.Cli;

/// <summary>The engine names inputs by meaning; the CLI's error line names the flag the user typed.</summary>
public sealed class CliFieldsTests
{
    [Theory]
    [InlineData(EngineField.Domain, "--domain")]
    [InlineData(EngineField.Source, "--connect")]
    [InlineData(EngineField.NewName, "--as")]
    [InlineData(EngineField.InPlace, "--force")]
    [InlineData(EngineField.TargetDirectory, "--target-dir")]
    [InlineData(EngineField.Disks, "--disk")]
    [InlineData(EngineField.KeepDaily, "--keep-daily")]
    public void A_logical_field_maps_to_its_flag(string field, string flag) => Assert.Equal(flag, CliFields.FlagFor(field));

    [Fact]
    public void The_error_line_puts_the_flag_before_the_engine_message()
    {
        var error = new InvalidInputException("domain \"web-1\" not found on qemu:///system", EngineField.Domain, reason: ErrorReason.DomainNotFound);
        Assert.Equal("--domain: domain \"web-1\" not found on qemu:///system", CliFields.Describe(error));
    }

    [Fact]
    public void A_field_without_a_flag_leaves_the_message_alone()
    {
        Assert.Equal("disk target \"x/y\" bad", CliFields.Describe(new InvalidNameException("disk target", "x/y", "bad")));
        Assert.Equal("plain", CliFields.Describe(new IOException("plain")));
    }

    [Fact]
    public async Task A_restore_of_a_domain_without_points_names_the_point_flag()
    {
        var repository = Directory.CreateTempSubdirectory("fibt-clifields-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(repository, "hv1", "web-1", "points"));
            var run = await Fibackup.RunAsync("restore", "--repository", repository, "--domain", "web-1", "--point", "latest",
                "--target-dir", Path.Combine(repository, "out"), "--no-define");
            Backup.CliError.AssertFailed(run, Backup.CliError.InvalidInput, "fibackup: error: --point: domain web-1 has no restore points");
        }
        finally
        {
            Directory.Delete(repository, recursive: true);
        }
    }
}
