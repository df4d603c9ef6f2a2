using FiBackup.Engine.Errors;

namespace FiBackup.Engine.Repository;

/// <summary>Refuses to start work that cannot fit, before anything is touched.</summary>
public static class FreeSpace
{
    public static long AvailableBytes(string directory) => new DriveInfo(directory).AvailableFreeSpace;

    public static void Ensure(string directory, long neededBytes, string what)
    {
        var available = AvailableBytes(directory);
        if (available < neededBytes)
            throw new FibackupException(
                $"repository {directory} is too full for {what}: needs about {Bytes.Human(neededBytes)}, {Bytes.Human(available)} free; free space or prune old restore points (nothing was changed)");
    }
}

/// <summary>Byte counts the way people read them.</summary>
public static class Bytes
{
    public static string Human(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
        double value = bytes;
        var unit = 0;
        while (Math.Abs(value) >= 1024 && unit < units.Length - 1) { value /= 1024; unit++; }
        return unit == 0 ? $"{bytes} B" : $"{value:0.#} {units[unit]}";
    }
}
