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

    [Theory]
    [InlineData("web-1")]
    [InlineData("db_2.example")]
    [InlineData("Upper.Case+tag@site")]
    public void A_name_existing_repositories_use_is_its_own_folder_name(string name)
    {
        Assert.Equal(name, RepositoryName.Encode(EngineField.Domain, name));
        Assert.Equal(name, RepositoryName.Decode(name));
    }

    [Theory]
    [InlineData("web server 1", "web%20server%201")]
    [InlineData("crème", "cr%C3%A8me")]
    [InlineData("..", "%2E%2E")]
    [InlineData(".hidden", "%2Ehidden")]
    [InlineData("a..b", "a.%2Eb")]
    [InlineData("a/b", "a%2Fb")]
    [InlineData("100%", "100%25")]
    [InlineData("-x", "%2Dx")]
    [InlineData("日本", "%E6%97%A5%E6%9C%AC")]
    [InlineData("a:b 😀", "a%3Ab%20%F0%9F%98%80")]
    public void Any_other_name_is_percent_encoded_into_a_safe_folder_name_and_decodes_back(string name, string folder)
    {
        var encoded = RepositoryName.Encode(EngineField.Domain, name);
        Assert.Equal(folder, encoded);
        Assert.DoesNotContain("/", encoded);
        Assert.DoesNotContain("..", encoded);
        Assert.DoesNotContain(" ", encoded);
        Assert.False(encoded.StartsWith('.'));
        Assert.Equal(name, RepositoryName.Decode(encoded));
    }

    [Fact]
    public void An_empty_name_or_one_too_long_for_a_folder_is_refused_naming_the_field()
    {
        Assert.StartsWith("domain \"\" ", Assert.Throws<InvalidNameException>(() => RepositoryName.Encode(EngineField.Domain, "")).Message);
        var error = Assert.Throws<InvalidNameException>(() => RepositoryName.Encode(EngineField.Domain, new string('é', 100)));
        Assert.Contains("too long", error.Message);
    }

    [Fact]
    public void A_repository_lists_an_encoded_domain_under_its_real_name()
    {
        var root = Directory.CreateTempSubdirectory("fibt-names-").FullName;
        try
        {
            var layout = new RepositoryLayout(root).ForDomain("hv1", "web server é");
            Assert.Equal(Path.Combine(root, "hv1", "web%20server%20%C3%A9"), layout.Directory);
            Directory.CreateDirectory(layout.PointsDirectory);
            var listed = Assert.Single(new RepositoryLayout(root).Domains("web server é", "hv1"));
            Assert.Equal(("hv1", "web server é", layout.Directory), (listed.Host, listed.Domain, listed.Directory));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

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
