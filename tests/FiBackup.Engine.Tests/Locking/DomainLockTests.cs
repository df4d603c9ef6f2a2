using System.Diagnostics;
using FiBackup.Engine.Errors;
using FiBackup.Engine.Repository;
using FiBackup.Engine.Repository.Locking;
using FiBackup.Engine.Tests.Copy;

namespace FiBackup.Engine.Tests.Locking;

public sealed class DomainLockTests : IDisposable
{
    private readonly ScratchDirectory _scratch = new();
    private readonly List<Process> _children = [];
    private string LockPath => _scratch.File("locks/qemu_system-web-1.lock");

    public void Dispose()
    {
        foreach (var child in _children)
        {
            if (!child.HasExited) child.Kill();
            child.WaitForExit();
            child.Dispose();
        }
        _scratch.Dispose();
    }

    [Fact]
    public void A_second_acquisition_of_a_held_lock_is_refused_with_a_message_naming_the_holder()
    {
        using var first = DomainLock.Acquire(LockPath, "fibackup backup", TimeSpan.Zero, CancellationToken.None,
            "web-1", new SignallingTimeProvider());

        var error = Assert.Throws<BusyException>(() =>
            DomainLock.Acquire(LockPath, "fibackup prune", TimeSpan.Zero, CancellationToken.None, "web-1"));

        Assert.Equal(
            $"domain web-1 is busy: fibackup backup (pid {Environment.ProcessId}) started 2026-11-27T02:00:00Z "
            + $"holds {LockPath}; try again when it finishes",
            error.Message);
    }

    [Fact]
    public void A_busy_message_names_the_domain_even_when_the_caller_did_not()
    {
        using var first = DomainLock.Acquire(LockPath, "fibackup backup", TimeSpan.Zero, CancellationToken.None,
            "web-1", new SignallingTimeProvider());

        var error = Assert.Throws<BusyException>(() =>
            DomainLock.Acquire(LockPath, "fibackup prune", TimeSpan.Zero, CancellationToken.None));

        Assert.StartsWith("domain web-1 is busy: fibackup backup ", error.Message);
    }

    [Fact]
    public void A_released_lock_can_be_taken_again_and_names_its_new_holder()
    {
        DomainLock.Acquire(LockPath, "fibackup backup", TimeSpan.Zero, CancellationToken.None, "web-1").Dispose();
        Assert.Null(DomainLock.ReadHolder(LockPath));

        using var second = DomainLock.Acquire(LockPath, "fibackup restore", TimeSpan.Zero, CancellationToken.None, "web-1");

        Assert.Equal("fibackup restore", DomainLock.ReadHolder(LockPath)?.Description);
    }

    [Fact]
    public async Task A_waiting_acquisition_gets_the_lock_once_the_holder_releases_it()
    {
        var first = DomainLock.Acquire(LockPath, "fibackup backup", TimeSpan.Zero, CancellationToken.None, "web-1");
        var time = new SignallingTimeProvider();
        var waiting = Task.Run(() =>
            DomainLock.Acquire(LockPath, "fibackup prune", TimeSpan.FromMinutes(5), CancellationToken.None, "web-1", time));

        await time.NextWaitAsync(); // it tried, found the lock held, and waits to retry
        Assert.False(waiting.IsCompleted);
        first.Dispose();
        time.Advance(TimeSpan.FromSeconds(1));
        using var second = await waiting.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("fibackup prune", DomainLock.ReadHolder(LockPath)?.Description);
    }

    [Fact]
    public async Task An_acquisition_gives_up_with_the_busy_message_when_the_lock_stays_held_past_the_wait()
    {
        using var first = DomainLock.Acquire(LockPath, "fibackup backup", TimeSpan.Zero, CancellationToken.None, "web-1");
        var time = new SignallingTimeProvider();
        var start = time.GetUtcNow();
        var waiting = Task.Run(() =>
            DomainLock.Acquire(LockPath, "fibackup prune", TimeSpan.FromSeconds(2), CancellationToken.None, "web-1", time));

        var error = await Assert.ThrowsAsync<BusyException>(() => time.RunAsync(waiting));
        Assert.Contains("(waited 2 s); try again when it finishes", error.Message);
        Assert.True(time.GetUtcNow() - start >= TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task The_busy_message_names_the_pid_of_another_process_that_holds_the_lock()
    {
        var holder = await StartHolderAsync(LockPath, "web-1");

        var error = Assert.Throws<BusyException>(() =>
            DomainLock.Acquire(LockPath, "fibackup backup", TimeSpan.Zero, CancellationToken.None, "web-1"));

        Assert.StartsWith($"domain web-1 is busy: fibackup backup (pid {holder.Id}) started ", error.Message);
    }

    [Fact]
    public async Task A_lock_held_by_a_process_killed_with_SIGKILL_is_free_again()
    {
        var holder = await StartHolderAsync(LockPath, "web-1");
        Assert.Throws<BusyException>(() =>
            DomainLock.Acquire(LockPath, "fibackup backup", TimeSpan.Zero, CancellationToken.None, "web-1"));

        holder.Kill(); // SIGKILL: the holder runs no cleanup at all
        await holder.WaitForExitAsync();
        Assert.Equal(128 + 9, holder.ExitCode);

        using var taken = DomainLock.Acquire(LockPath, "fibackup backup", TimeSpan.Zero, CancellationToken.None, "web-1");
        Assert.Equal(Environment.ProcessId, DomainLock.ReadHolder(LockPath)?.Pid);
    }

    [Fact]
    public void FIBACKUP_LOCK_DIR_moves_the_host_locks_which_are_named_by_hypervisor_and_domain_uuid()
    {
        var directory = _scratch.File("run/lock/fibackup");
        var before = Environment.GetEnvironmentVariable(DomainLockPaths.DirectoryVariable);
        Environment.SetEnvironmentVariable(DomainLockPaths.DirectoryVariable, directory);
        try
        {
            var uuid = Guid.Parse("6f2b7e4c-1d2a-4e8b-9c3f-0a1b2c3d4e5f");
            var path = new FileDomainLocks().PathFor(new DomainLockKey("qemu://hv1/../x", uuid, "web-1"));
            using var held = DomainLock.Acquire(path, "fibackup backup", TimeSpan.Zero, CancellationToken.None, "web-1");

            Assert.Equal(Path.Combine(directory, $"qemu_hv1_.._x-{uuid:D}.lock"), path);
            Assert.True(File.Exists(path));
        }
        finally
        {
            Environment.SetEnvironmentVariable(DomainLockPaths.DirectoryVariable, before);
        }
    }

    [Fact]
    public void The_repository_lock_is_the_domains_lock_file_in_the_repository()
    {
        var layout = new RepositoryLayout(_scratch.File("repo")).ForDomain("hv1", "web-1");

        using var held = DomainLock.Acquire(DomainLockPaths.ForRepository(layout), "fibackup backup", TimeSpan.Zero,
            CancellationToken.None, "web-1");

        Assert.Equal(_scratch.File("repo/hv1/web-1/.lock"), held.Path);
        Assert.Equal("web-1", DomainLock.ReadHolder(layout.LockFile)?.Domain);
    }

    /// <summary>Starts this test assembly as a child process that takes the lock (see <see cref="LockHolderProgram"/>).</summary>
    private async Task<Process> StartHolderAsync(string path, string domain)
    {
        var dotnet = Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { typeof(LockHolderProgram).Assembly.Location, LockHolderProgram.Command, path, "fibackup backup", domain })
            start.ArgumentList.Add(argument);
        var child = Process.Start(start)!;
        _children.Add(child);
        var line = await child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        if (line != LockHolderProgram.Ready)
            throw new InvalidOperationException($"the lock holder did not start: {line} {await child.StandardError.ReadToEndAsync()}");
        return child;
    }
}
