using System.CommandLine;
using System.Reflection;
using FiBackup.Libvirt;

namespace FiBackup.Operator.Cli;

/// <summary>`fibackup version`: this build's version and the libvirt library it loaded.</summary>
public static class VersionCommand
{
    public static Command Create()
    {
        var command = new Command("version", "Print the fibackup version and the libvirt library version it loaded");
        command.SetAction(parseResult =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            output.WriteLine($"fibackup {ProductVersion}");
            try
            {
                output.WriteLine($"libvirt {LibvirtLibrary.Version}");
            }
            catch (DllNotFoundException)
            {
                parseResult.InvocationConfiguration.Error.WriteLine(
                    "libvirt: not loadable (libvirt.so.0 missing: install the libvirt0 package, or run scripts/setup.sh)");
                return 1;
            }
            return 0;
        });
        return command;
    }

    public static string ProductVersion =>
        typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";
}
