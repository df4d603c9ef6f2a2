using FiBackup.Engine.Backup;
using FiBackup.Engine.Repository;

namespace FiBackup.Engine.Tests.Backup;

public class OverlayNameTests
{
    private static readonly RestorePointId Point = RestorePointId.Parse("20261127T020000Z");

    private static ChainImage Image(string path) => new(path, "qcow2", 1 << 20, 0);

    [Fact]
    public void Disks_x_qcow2_and_x_img_in_one_directory_get_different_overlays()
    {
        var qcow2 = OverlayName.For([Image("/images/x.qcow2")], Point);
        var img = OverlayName.For([Image("/images/x.img")], Point);

        Assert.Equal("/images/x.qcow2.fib-20261127T020000Z.qcow2", qcow2);
        Assert.Equal("/images/x.img.fib-20261127T020000Z.qcow2", img);
        Assert.True(OverlayName.IsOverlay(qcow2));
        Assert.True(OverlayName.IsOverlay(img));
    }

    [Fact]
    public void An_overlay_on_an_overlay_is_named_after_the_disks_own_image()
    {
        var chain = new[] { Image("/images/x.img.fib-20261126T020000Z.qcow2"), Image("/images/x.img") };
        Assert.Equal("/images/x.img.fib-20261127T020000Z.qcow2", OverlayName.For(chain, Point));
    }

    [Fact]
    public void Overlays_named_the_old_way_are_still_recognised_and_their_chain_continues_under_the_new_name()
    {
        var old = "/images/web.fib-20261126T020000Z.qcow2";
        Assert.True(OverlayName.IsOverlay(old));
        Assert.Equal("/images/web.qcow2.fib-20261127T020000Z.qcow2",
            OverlayName.For([Image(old), Image("/images/web.qcow2")], Point));
    }

    [Theory]
    [InlineData("/images/web.qcow2")]
    [InlineData("/images/web.img")]
    [InlineData("/images/web.fib-latest.qcow2")]
    public void A_disks_own_image_is_not_an_overlay(string path) => Assert.False(OverlayName.IsOverlay(path));
}
