using FiBackup.Engine.Copy;

namespace FiBackup.Engine.Tests.Copy;

public sealed class ReadAheadTests
{
    private const long MiB = 1 << 20;
    private readonly List<FileExtent> _advised = [];

    private static FileExtent Range(long offsetMiB, long lengthMiB) => new(offsetMiB * MiB, lengthMiB * MiB);

    [Fact]
    public void Asks_for_the_data_a_distance_ahead_skipping_holes_and_never_twice()
    {
        var readAhead = new ReadAhead([Range(0, 1), Range(10, 3), Range(20, 1)], 2 * MiB, _advised.Add);

        readAhead.Consumed(0);
        Assert.Equal([Range(0, 1), Range(10, 1)], _advised);

        _advised.Clear();
        readAhead.Consumed(MiB);
        readAhead.Consumed(MiB);
        Assert.Equal([Range(11, 1)], _advised);

        _advised.Clear();
        readAhead.Consumed(4 * MiB);
        Assert.Equal([Range(12, 1), Range(20, 1)], _advised);

        _advised.Clear();
        readAhead.Consumed(5 * MiB);
        Assert.Empty(_advised);
    }

    [Fact]
    public void A_file_without_data_is_never_read_ahead()
    {
        new ReadAhead([], 64 * MiB, _advised.Add).Consumed(0);

        Assert.Empty(_advised);
    }
}
