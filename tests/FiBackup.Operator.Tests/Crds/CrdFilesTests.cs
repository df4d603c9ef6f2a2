using FiBackup.Operator.Crds;
using FiBackup.Operator.Tests.Cli;
using FiBackup.Testing;

namespace FiBackup.Operator.Tests.Crds;

public sealed class CrdFilesTests
{
    private const string Regenerate = "run `./fibackup crds --output crds/` and commit the result";

    [Fact]
    public void The_committed_crds_are_what_the_generator_writes_now()
    {
        foreach (var crd in CrdGenerator.GenerateAll())
        {
            var path = SourceCheckout.PathOf(Path.Combine("crds", crd.FileName));
            Assert.True(File.Exists(path), $"crds/{crd.FileName} is missing: {Regenerate}");
            var committed = File.ReadAllText(path);
            Assert.True(committed == crd.Yaml, $"crds/{crd.FileName} is out of date with the API types: {Regenerate}");
        }
    }

    [Fact]
    public void The_crds_directory_holds_nothing_but_the_generated_files()
    {
        var expected = CrdGenerator.GenerateAll().Select(c => c.FileName).Order();
        var actual = Directory.GetFiles(SourceCheckout.PathOf("crds")).Select(Path.GetFileName).Order();
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Generating_twice_gives_the_same_bytes()
    {
        Assert.Equal(CrdGenerator.GenerateAll().Select(c => c.Yaml), CrdGenerator.GenerateAll().Select(c => c.Yaml));
    }

    [Fact]
    public async Task Crds_command_writes_one_file_per_kind_named_plural_dot_group()
    {
        var directory = Directory.CreateTempSubdirectory("fibackup-crds-");
        try
        {
            var run = await Fibackup.RunAsync("crds", "--output", directory.FullName);

            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Equal(
                ["vmbackuppolicies.fibackup.io.yaml", "vmbackups.fibackup.io.yaml", "vmrestores.fibackup.io.yaml"],
                directory.GetFiles().Select(f => f.Name).Order());
            Assert.Equal(CrdGenerator.GenerateAll().Single(c => c.Name == "vmbackups.fibackup.io").Yaml,
                File.ReadAllText(Path.Combine(directory.FullName, "vmbackups.fibackup.io.yaml")));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Crds_command_without_output_prints_all_three_as_one_yaml_stream()
    {
        var run = await Fibackup.RunAsync("crds");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(string.Join("---\n", CrdGenerator.GenerateAll().Select(c => c.Yaml)), run.Output);
        Assert.Equal("", run.Error);
    }
}
