using System.Globalization;

namespace FiBackup.Engine;

/// <summary>Byte counts as people read them, in every message and table: 512 B, 1.5 MiB, 12 GiB (binary units, like kubectl and qemu-img).</summary>
public static class ByteSize
{
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

    public static string Format(long bytes)
    {
        double value = bytes;
        var unit = 0;
        while (Math.Abs(value) >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        var number = unit == 0 || value >= 100 ? value.ToString("0", CultureInfo.InvariantCulture) : value.ToString("0.#", CultureInfo.InvariantCulture);
        return $"{number} {Units[unit]}";
    }
}
