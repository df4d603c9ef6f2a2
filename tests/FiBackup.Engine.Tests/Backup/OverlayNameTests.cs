using FiBackup.Engine.Backup;
using FiBackup.Engine.Repository;

namespace FiBackup.Engine.Tests.Backup;

public class OverlayNameTests
{
    private static readonly RestorePointId Point = RestorePointId.Parse("20261127T020000Z");

    private static ChainImage Image(string path) => new(path, "qcow2", 1 << 20, 0);

    private static readonly Sources.Local.LocalHostImages Local = new();

    [Fact]
    public void Disks_x_qcow2_and_x_img_in_one_directory_get_different_overlays()
    {
        var qcow2 = OverlayName.For([Image("/images/x.qcow2")], Point, Local);
        var img = OverlayName.For([Image("/images/x.img")], Point, Local);

        Assert.Equal("/images/x.qcow2.fib-20261127T020000Z.qcow2", qcow2);
        Assert.Equal("/images/x.img.fib-20261127T020000Z.qcow2", img);
        Assert.True(OverlayName.IsOverlay(qcow2));
        Assert.True(OverlayName.IsOverlay(img));
    }

    [Fact]
    public void An_overlay_on_an_overlay_is_named_after_the_disks_own_image()
    {
        var chain = new[] { Image("/images/x.img.fib-20261126T020000Z.qcow2"), Image("/images/x.img") };
        Assert.Equal("/images/x.img.fib-20261127T020000Z.qcow2", OverlayName.For(chain, Point, Local));
    }

    [Fact]
    public void Overlays_named_the_old_way_are_still_recognised_and_their_chain_continues_under_the_new_name()
    {
        var old = "/images/web.fib-20261126T020000Z.qcow2";
        Assert.True(OverlayName.IsOverlay(old));
        Assert.Equal("/images/web.qcow2.fib-20261127T020000Z.qcow2",
            OverlayName.For([Image(old), Image("/images/web.qcow2")], Point, Local));
    }

    [Theory]
    [InlineData("/images/web.qcow2")]
    [InlineData("/images/web.img")]
    [InlineData("/images/web.fib-latest.qcow2")]
    public void A_disks_own_image_is_not_an_overlay(string path) => Assert.False(OverlayName.IsOverlay(path));

    [Fact]
    public async Task A_block_device_gets_its_overlays_in_the_overlay_directory_named_apart_from_other_devices()
    {
        var directory = Directory.CreateTempSubdirectory("fibt-overlayname-").FullName;
        var file = Path.Combine(directory, "disk.raw");
        await using (var raw = File.Create(file)) raw.SetLength(1 << 20);
        var device = (await Tools.ExternalTool.RunAsync("losetup", ["--find", "--show", file], CancellationToken.None)).StandardOutput.Trim();
        try
        {
            var name = Path.GetFileName(device);
            var byDefault = OverlayName.For([Image(device)], Point, Local);
            Assert.Equal(OverlayName.DefaultDirectory, Path.GetDirectoryName(byDefault));
            Assert.Matches($@"^{name}-[0-9a-f]{{8}}\.fib-20261127T020000Z\.qcow2$", Path.GetFileName(byDefault));
            Assert.True(OverlayName.IsOverlay(byDefault));

            var chosen = OverlayName.For([Image(device)], Point, Local, "/srv/overlays");
            Assert.Equal(Path.Combine("/srv/overlays", Path.GetFileName(byDefault)), chosen);
            // The next overlay, on top of the first, keeps the name of the device's.
            Assert.Equal(chosen.Replace("20261127T020000Z", "20261128T020000Z", StringComparison.Ordinal),
                OverlayName.For([Image(chosen), Image(device)], RestorePointId.Parse("20261128T020000Z"), Local, "/srv/overlays"));
            // A file disk keeps its overlays beside the image.
            Assert.Equal(file + ".fib-20261127T020000Z.qcow2", OverlayName.For([Image(file)], Point, Local, "/srv/overlays"));
        }
        finally
        {
            await Tools.ExternalTool.RunAsync("losetup", ["--detach", device], CancellationToken.None);
            Directory.Delete(directory, recursive: true);
        }
    }
}
