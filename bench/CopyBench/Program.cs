// Copies one image into a "repository" file with fibackup's SparseFileCopier, as a backup does,
// and prints: seconds inside the copy, data bytes copied, SHA-256 of the copy.
// usage: CopyBench SOURCE DESTINATION [--keep-zero-blocks] [--buffer BYTES]
using System.Diagnostics;
using System.Globalization;
using FiBackup.Engine.Copy;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: CopyBench SOURCE DESTINATION [--keep-zero-blocks] [--buffer BYTES]");
    return 2;
}
var options = new CopyOptions();
for (var i = 2; i < args.Length; i++)
{
    options = args[i] switch
    {
        "--keep-zero-blocks" => options with { SkipZeroBlocks = false },
        "--buffer" => options with { BufferSize = int.Parse(args[++i], CultureInfo.InvariantCulture) },
        var other => throw new ArgumentException($"unknown option {other}"),
    };
}
var clock = Stopwatch.StartNew();
var result = await new SparseFileCopier().CopyIntoRepositoryAsync(args[0], args[1], options, CancellationToken.None);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{clock.Elapsed.TotalSeconds:F3} {result.DataBytes} {result.Sha256}"));
return 0;
