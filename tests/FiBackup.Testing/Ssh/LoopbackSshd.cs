using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using FiBackup.Testing.Libvirt;

namespace FiBackup.Testing.Ssh;

/// <summary>
/// An sshd of its own on 127.0.0.1 for remote-host tests: a host key, a client key pair, an
/// authorized_keys and a known_hosts made per run in a temporary directory, its own sshd_config
/// and a free port. The machine's ssh configuration (/etc/ssh, ~/.ssh) is neither read by the
/// server nor changed: the client gets its known_hosts through <see cref="SshCommand"/>, a wrapper
/// libvirt runs instead of ssh (the URI's <c>command=</c> parameter), because libvirt's ssh
/// transport passes no known_hosts file to ssh (only its libssh transports do).
/// Needs Debian's openssh-server (scripts/setup.sh) and root (PermitRootLogin for libvirt's socket).
/// </summary>
public sealed class LoopbackSshd : IDisposable
{
    private const string SshdBinary = "/usr/sbin/sshd";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    private readonly Process sshd;
    private readonly StringBuilder log = new();
    private bool disposed;

    private LoopbackSshd(string directory, int port, Process sshd)
    {
        Directory = directory;
        Port = port;
        this.sshd = sshd;
        sshd.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        sshd.BeginErrorReadLine();
    }

    /// <summary>The run's temporary directory: keys, config, known_hosts, pid file.</summary>
    public string Directory { get; }

    public int Port { get; }

    /// <summary>The client's private key (what the URI's keyfile= names).</summary>
    public string ClientKeyPath => Path.Combine(Directory, "client_ed25519");

    public string KnownHostsPath => Path.Combine(Directory, "known_hosts");

    /// <summary>Runs /usr/bin/ssh with this run's known_hosts and no ssh_config, passing libvirt's arguments through.</summary>
    public string SshCommand => Path.Combine(Directory, "ssh");

    /// <summary>The master sshd (listener); connections are served by its child processes.</summary>
    public int ProcessId => sshd.Id;

    /// <summary>
    /// Waits until sshd's log holds <paramref name="text"/> <paramref name="times"/> times: its stderr is
    /// read asynchronously, so a line may arrive a moment after the connection it reports has closed.
    /// </summary>
    public async Task<bool> WaitForLogAsync(string text, int times = 1, double seconds = 5)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (CountInLog(text) < times)
        {
            if (DateTime.UtcNow > deadline) return false;
            await Task.Delay(50);
        }
        return true;
    }

    /// <summary>How many times sshd's log holds <paramref name="text"/> so far.</summary>
    public int CountInLog(string text)
    {
        var current = Log;
        var count = 0;
        for (var at = current.IndexOf(text, StringComparison.Ordinal); at >= 0; at = current.IndexOf(text, at + text.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    /// <summary>What sshd printed on stderr (-e), for a failing test's message.</summary>
    public string Log
    {
        get { lock (log) return log.ToString(); }
    }

    /// <summary>qemu+ssh://root@127.0.0.1:PORT/system with keyfile and the ssh wrapper; host keys are verified.</summary>
    public string LibvirtUri =>
        $"qemu+ssh://root@127.0.0.1:{Port}/system?keyfile={Uri.EscapeDataString(ClientKeyPath)}&command={Uri.EscapeDataString(SshCommand)}";

    public static async Task<LoopbackSshd> StartAsync()
    {
        if (!File.Exists(SshdBinary))
            throw new InvalidOperationException($"{SshdBinary} is missing: run scripts/setup.sh (it installs openssh-server)");
        var directory = System.IO.Directory.CreateTempSubdirectory("fibackup-sshd-").FullName;
        try
        {
            await HostTool.RunAsync("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "fibackup-test-host", "-f", Path.Combine(directory, "host_ed25519"));
            await HostTool.RunAsync("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "fibackup-test-client", "-f", Path.Combine(directory, "client_ed25519"));
            File.Copy(Path.Combine(directory, "client_ed25519.pub"), Path.Combine(directory, "authorized_keys"));
            // sshd refuses to start without its privilege separation directory, which the system
            // service would create at boot (it holds nothing).
            System.IO.Directory.CreateDirectory("/run/sshd");

            for (var attempt = 1; ; attempt++)
            {
                var port = FreePort();
                WriteClientFiles(directory, port);
                var config = WriteConfig(directory, port);
                var process = StartSshd(config);
                var server = new LoopbackSshd(directory, port, process);
                try
                {
                    await server.WaitUntilAnsweringAsync();
                    return server;
                }
                catch (Exception) when (attempt < 3 && process.HasExited)
                {
                    // Another process took the port between FreePort and sshd's bind: try another.
                    server.StopProcesses();
                }
                catch
                {
                    server.StopProcesses();
                    throw;
                }
            }
        }
        catch
        {
            TryDeleteDirectory(directory);
            throw;
        }
    }

    /// <summary>
    /// The processes serving connections now: every descendant of the listener (per connection a
    /// privileged monitor, its unprivileged child and the session's command).
    /// </summary>
    public IReadOnlyList<int> ConnectionProcessIds() => Descendants(sshd.Id);

    /// <summary>
    /// Cuts every connection at once, as a network failure or a rebooting host would: SIGKILL to
    /// each process serving one (the listener stays, so new connections work). Returns how many
    /// processes were killed.
    /// </summary>
    public int KillConnections()
    {
        var killed = 0;
        foreach (var pid in ConnectionProcessIds())
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill();
                killed++;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Already gone.
            }
        }
        return killed;
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        StopProcesses();
        TryDeleteDirectory(Directory);
    }

    private void StopProcesses()
    {
        KillConnections();
        try
        {
            if (!sshd.HasExited)
            {
                sshd.Kill();
                sshd.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }
        sshd.Dispose();
    }

    private async Task WaitUntilAnsweringAsync()
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            if (sshd.HasExited)
                throw new InvalidOperationException($"sshd exited with {sshd.ExitCode} before it answered on 127.0.0.1:{Port}: {Log.Trim()}");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                var banner = new byte[64];
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                var read = await client.GetStream().ReadAsync(banner, cts.Token);
                if (Encoding.ASCII.GetString(banner, 0, read).StartsWith("SSH-2.0-", StringComparison.Ordinal)) return;
            }
            catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
            {
                // Not listening yet.
            }
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"sshd did not answer on 127.0.0.1:{Port} within {StartTimeout.TotalSeconds} s: {Log.Trim()}");
            await Task.Delay(50);
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try { return ((IPEndPoint)listener.LocalEndpoint).Port; }
        finally { listener.Stop(); }
    }

    private static string WriteConfig(string directory, int port)
    {
        var config = Path.Combine(directory, "sshd_config");
        File.WriteAllText(config, $"""
            Port {port}
            ListenAddress 127.0.0.1
            HostKey {Path.Combine(directory, "host_ed25519")}
            PidFile {Path.Combine(directory, "sshd.pid")}
            AuthorizedKeysFile {Path.Combine(directory, "authorized_keys")}
            PermitRootLogin prohibit-password
            PubkeyAuthentication yes
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            UsePAM no
            # The temporary directory is root's but its mode is not what sshd insists on for ~/.ssh.
            StrictModes no
            AllowTcpForwarding no
            X11Forwarding no
            PrintMotd no
            LogLevel INFO

            """);
        return config;
    }

    private static void WriteClientFiles(string directory, int port)
    {
        var hostKey = File.ReadAllText(Path.Combine(directory, "host_ed25519.pub")).Trim();
        File.WriteAllText(Path.Combine(directory, "known_hosts"), $"[127.0.0.1]:{port} {hostKey}\n");
        var wrapper = Path.Combine(directory, "ssh");
        File.WriteAllText(wrapper, $"""
            #!/bin/sh
            # libvirt runs this instead of ssh: the test's known_hosts, none of the machine's ssh configuration.
            exec /usr/bin/ssh -F /dev/null -o UserKnownHostsFile={Path.Combine(directory, "known_hosts")} -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes "$@"

            """);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private static Process StartSshd(string config)
    {
        var start = new ProcessStartInfo(SshdBinary)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = false,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-D", "-e", "-f", config }) start.ArgumentList.Add(arg);
        return Process.Start(start) ?? throw new InvalidOperationException($"could not start {SshdBinary}");
    }

    private static List<int> Descendants(int root)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var dir in System.IO.Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            var parent = ParentOf(dir);
            if (parent is null) continue;
            if (!children.TryGetValue(parent.Value, out var list)) children[parent.Value] = list = [];
            list.Add(pid);
        }
        var result = new List<int>();
        var queue = new Queue<int>([root]);
        while (queue.TryDequeue(out var pid))
        {
            if (!children.TryGetValue(pid, out var list)) continue;
            foreach (var child in list)
            {
                result.Add(child);
                queue.Enqueue(child);
            }
        }
        return result;
    }

    /// <summary>The parent pid from /proc/PID/stat (after the command name, which may hold spaces and parentheses).</summary>
    private static int? ParentOf(string procDirectory)
    {
        try
        {
            var stat = File.ReadAllText(Path.Combine(procDirectory, "stat"));
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    private static void TryDeleteDirectory(string directory)
    {
        try { System.IO.Directory.Delete(directory, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* a throwaway key pair that only this run's sshd (now gone) accepted */ }
    }
}
