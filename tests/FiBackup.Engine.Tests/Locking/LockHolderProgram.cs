using FiBackup.Engine.Repository.Locking;

namespace FiBackup.Engine.Tests.Locking;

/// <summary>
/// The test assembly's entry point, used only as a child process by the locking tests:
/// `dotnet FiBackup.Engine.Tests.dll hold-lock PATH DESCRIPTION DOMAIN` takes the lock, prints
/// "locked", and holds it until its standard input closes or it is killed.
/// </summary>
public static class LockHolderProgram
{
    public const string Command = "hold-lock";
    public const string Ready = "locked";

    public static int Main(string[] args)
    {
        if (args is not [Command, var path, var description, var domain])
        {
            Console.Error.WriteLine($"usage: {Command} PATH DESCRIPTION DOMAIN");
            return 2;
        }
        using var held = DomainLock.Acquire(path, description, TimeSpan.Zero, CancellationToken.None, domain);
        Console.WriteLine(Ready);
        Console.Out.Flush();
        // Ends when the test closes our stdin, or when the test process itself goes away.
        Console.In.ReadToEnd();
        return 0;
    }
}
