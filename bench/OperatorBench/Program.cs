// The operator bench's two processes (bench/operator.sh starts both; the API server is a third):
//   OperatorBench operator --kubeconfig FILE --claims-dir DIR --domains N
//       the real operator (OperatorHost, --namespace bench) over a simulated engine; stops on SIGTERM
//   OperatorBench measure --kubeconfig FILE --policies N --request-log FILE --log-from LINES --t0 EPOCH [--timeout S]
//       polls (one list of each kind per second) until every policy is Ready and scheduled and every
//       VmBackup Succeeded; prints the times since t0 (the operator's launch) and the API requests the server logged
using System.Globalization;
using System.Runtime.InteropServices;
using FiBackup.Operator.Hosting;
using OperatorBench;

string Arg(string name, string? fallback = null)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback ?? throw new ArgumentException($"{name} is required");
}
int IntArg(string name, int fallback) => int.Parse(Arg(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

switch (args.FirstOrDefault())
{
    case "operator":
    {
        using var stop = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        var engine = new SimulatedEngine(IntArg("--domains", 1000));
        var options = new OperatorOptions
        {
            Kubeconfig = Arg("--kubeconfig"), Namespace = "bench", ClaimsDirectory = Arg("--claims-dir"),
            MetricsPort = 0, Identity = "operator-bench", Workers = IntArg("--workers", 4),
        };
        await OperatorHost.RunAsync(options, Console.Out, Console.Error, stop.Token, engine);
        Console.WriteLine($"operator-bench: simulated backups taken: {engine.Backups}");
        return 0;
    }
    case "measure":
        return await Measurement.RunAsync(Arg("--kubeconfig"), IntArg("--policies", 1000), Arg("--request-log"), IntArg("--log-from", 0),
            DateTimeOffset.FromUnixTimeMilliseconds((long)(double.Parse(Arg("--t0"), CultureInfo.InvariantCulture) * 1000)),
            TimeSpan.FromSeconds(IntArg("--timeout", 300)));
    default:
        Console.Error.WriteLine("usage: OperatorBench operator --kubeconfig FILE --claims-dir DIR --domains N [--workers N]");
        Console.Error.WriteLine("       OperatorBench measure --kubeconfig FILE --policies N --request-log FILE --log-from LINES --t0 EPOCH [--timeout S]");
        return 2;
}
