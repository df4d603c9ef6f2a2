using FiBackup.Operator.Tests.Cli;
using FiBackup.Testing.Libvirt;

namespace FiBackup.Operator.Tests.Backup;

/// <summary>
/// libvirt allows domain names with spaces and non-ASCII letters. Such a domain is backed up under
/// a percent-encoded repository folder (never '/', "..", a leading dot or a space), `list` shows
/// its real name, and every point restores byte-exact, also under a new name of the same kind.
/// </summary>
[Collection(LibvirtCollection.Name)]
public sealed class DomainNameEncodingTests(LibvirtFixture fixture)
{
    private const long MiB = 1 << 20;

    [Theory]
    [InlineData("web server 1", "web%20server%201")]
    [InlineData("crème", "cr%C3%A8me")]
    [InlineData("web server é", "web%20server%20%C3%A9")]
    public async Task A_domain_whose_name_has_spaces_or_non_ascii_letters_backs_up_lists_and_restores_byte_exact(string name, string encoded)
    {
        await using var scenario = await BackupScenario.CreateAsync(fixture, options: new TestDomainOptions { Name = name });
        var domain = scenario.Domain.Name;
        Assert.Contains(name, domain);
        await scenario.WriteAsync("vda", 0, 2 * MiB, 0x31);
        await scenario.WriteAsync("vdb", 5 * MiB, MiB, 0x32);
        await scenario.BackupAsync();
        await scenario.WriteAsync("vda", MiB, 2 * MiB, 0x33);
        await scenario.BackupAsync();

        var points = await scenario.ListAsync();
        Assert.Equal(["full", "incremental"], points.Select(p => p.GetProperty("type").GetString()));
        Assert.All(points, p => Assert.Equal(domain, p.GetProperty("domain").GetString()));
        var host = points[0].GetProperty("host").GetString()!;
        var folder = Assert.Single(Directory.GetDirectories(Path.Combine(scenario.Repository, host)));
        Assert.Equal(domain.Replace(name, encoded, StringComparison.Ordinal), Path.GetFileName(folder));

        var table = await Fibackup.RunAsync("list", "--repository", scenario.Repository, "--domain", domain);
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains($" {domain} ", table.Output);

        await scenario.AssertEveryPointRestoresExactlyAsync();
        var verify = await Fibackup.RunAsync("verify", "--repository", scenario.Repository, "--domain", domain);
        Assert.True(verify.ExitCode == 0, verify.ToString());
    }
}
