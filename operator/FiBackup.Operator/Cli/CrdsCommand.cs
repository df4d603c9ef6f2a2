using System.CommandLine;
using FiBackup.Operator.Crds;

namespace FiBackup.Operator.Cli;

/// <summary>`fibackup crds [--output DIR|-]`: the CustomResourceDefinitions, one file per kind, or all on stdout.</summary>
public static class CrdsCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--output", "-o")
        {
            Description = "Directory to write <plural>.<group>.yaml files into; - (the default) prints them to stdout",
            DefaultValueFactory = _ => "-",
        };
        var command = new Command("crds", "Print or write the CustomResourceDefinitions of the fi-backup kinds") { output };
        command.SetAsyncAction(async (parseResult, context) =>
        {
            var crds = CrdGenerator.GenerateAll();
            var directory = parseResult.GetValue(output)!;
            if (directory == "-")
            {
                // One multi-document stream, ready for `fibackup crds | kubectl apply -f -`.
                await context.Output.WriteAsync(string.Join("---\n", crds.Select(c => c.Yaml)));
                return CommandRunner.Success;
            }
            Directory.CreateDirectory(directory);
            foreach (var crd in crds)
            {
                var path = Path.Combine(directory, crd.FileName);
                await File.WriteAllTextAsync(path, crd.Yaml, context.CancellationToken);
                context.Output.WriteLine(path);
            }
            return CommandRunner.Success;
        });
        return command;
    }
}
