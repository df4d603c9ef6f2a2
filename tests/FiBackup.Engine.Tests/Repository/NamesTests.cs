using FiBackup.Engine.Errors;
using FiBackup.Engine.Repository;

namespace FiBackup.Engine.Tests.Repository;

public class NamesTests
{
    [Theory]
    [InlineData("..")]
    [InlineData("../etc")]
    [InlineData("a/b")]
    [InlineData("")]
    [InlineData(".hidden")]
    [InlineData("web 1")]
    public void A_name_that_could_escape_the_repository_is_refused_naming_the_field(string name)
    {
        var error = Assert.Throws<InvalidNameException>(() => SafeName.Validate(EngineField.Domain, name));
        Assert.StartsWith($"domain \"{name}\" ", error.Message);
        Assert.Equal(EngineField.Domain, error.Field);
        Assert.Equal(ErrorReason.InvalidSpec, error.Reason);
    }

    [Theory]
    [InlineData("web-1")]
    [InlineData("db_2.example")]
    [InlineData("vda")]
    public void An_ordinary_name_is_accepted(string name) => Assert.Equal(name, SafeName.Validate("domain", name));

    [Fact]
    public void A_restore_point_id_round_trips_and_orders_like_time()
    {
        var first = new RestorePointId(new DateTimeOffset(2026, 11, 27, 2, 0, 0, 500, TimeSpan.FromHours(1)));
        Assert.Equal("20261127T010000Z", first.ToString());
        Assert.Equal(first, RestorePointId.Parse("20261127T010000Z"));
        Assert.True(first < first.NextSecond());
        Assert.Throws<FormatException>(() => RestorePointId.Parse("yesterday"));
    }

    [Fact]
    public void A_manifest_path_that_leaves_the_domain_directory_is_refused()
    {
        var layout = new RepositoryLayout("/srv/repo").ForDomain("hv1", "web-1");
        Assert.Equal("/srv/repo/hv1/web-1/chains/c/vda/000-full.qcow2", layout.Resolve("chains/c/vda/000-full.qcow2"));
        Assert.Throws<InvalidDataException>(() => layout.Resolve("../other/points/x.json"));
    }
}
