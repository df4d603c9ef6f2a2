using FiBackup.Engine;

namespace FiBackup.Engine.Tests;

public class ByteSizeTests
{
    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(1023, "1023 B")]
    [InlineData(1536, "1.5 KiB")]
    [InlineData(3_800_000, "3.6 MiB")]
    [InlineData(150L * 1024 * 1024 * 1024, "150 GiB")]
    public void Sizes_read_like_kubectl_and_qemu_img_print_them(long bytes, string expected) =>
        Assert.Equal(expected, ByteSize.Format(bytes));
}
