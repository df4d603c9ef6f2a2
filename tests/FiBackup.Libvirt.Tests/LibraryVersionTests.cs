using FiBackup.Libvirt;

namespace FiBackup.Libvirt.Tests;

public class LibraryVersionTests
{
    [Fact]
    public void Loaded_libvirt_reports_a_real_version()
    {
        var version = LibvirtLibrary.Version;
        Assert.True(version.Major >= 6, $"libvirt {version} is older than the 6.0 this project needs");
    }
}
