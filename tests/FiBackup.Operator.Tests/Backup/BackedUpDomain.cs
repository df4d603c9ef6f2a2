using FiBackup.Testing.Libvirt;

namespace FiBackup.Operator.Tests.Backup;

/// <summary>
/// One running domain with data on both disks and one full restore point, shared by the tests of
/// a class that only read it (refused commands, restores beside it): creating and backing up a
/// domain per test would cost more than the tests themselves.
/// </summary>
public sealed class BackedUpDomain(LibvirtFixture fixture) : IAsyncLifetime
{
    private const long MiB = 1 << 20;

    /// <summary>Bytes the guest wrote on vda: more than <see cref="BadInputTests"/>' small repository holds.</summary>
    public const long VdaDataBytes = 6 * MiB;

    private BackupScenario? scenario;

    public BackupScenario Scenario => scenario ?? throw new InvalidOperationException("the fixture is not initialized");

    public string PointId => Scenario.PointIds[0];

    public async Task InitializeAsync()
    {
        scenario = await BackupScenario.CreateAsync(fixture);
        await scenario.WriteAsync("vda", 0, VdaDataBytes, 0x5a);
        await scenario.WriteAsync("vdb", 3 * MiB, MiB, 0x6b);
        await scenario.BackupAsync();
    }

    public async Task DisposeAsync()
    {
        if (scenario is not null) await scenario.DisposeAsync();
    }
}
