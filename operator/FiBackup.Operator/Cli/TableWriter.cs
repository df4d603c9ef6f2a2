namespace FiBackup.Operator.Cli;

/// <summary>kubectl-style output: an upper-case header and left-aligned columns three spaces apart.</summary>
internal static class TableWriter
{
    public static void Write(TextWriter output, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = rows.Prepend(header).ToList();
        var widths = header.Select((_, column) => all.Max(row => row[column].Length)).ToList();
        foreach (var row in all)
        {
            var cells = row.Select((cell, column) => column == row.Count - 1 ? cell : cell.PadRight(widths[column]));
            output.WriteLine(string.Join("   ", cells).TrimEnd());
        }
    }
}
