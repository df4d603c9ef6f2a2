using System.CommandLine;
using FiBackup.Engine.Errors;
using FiBackup.Engine.Repository;
using FiBackup.Engine.Verify;

namespace FiBackup.Operator.Cli;

/// <summary>
/// `fibackup verify`: proves restore points restorable (files present, sizes, SHA-256, `qemu-img
/// check`, backing names, chain order). Prints a line per point (OK / BROKEN) and per problem;
/// exits 0 only when everything checked is intact.
/// </summary>
public static class VerifyCommand
{
    public static Command Create()
    {
        var repositoryOptions = new RepositoryOptions(domainRequired: false, "Only this domain (default: every domain in the repository)");
        var point = new Option<string?>("--point") { Description = "Only this restore point (yyyyMMddTHHmmssZ, as `fibackup list` shows)" };
        var command = new Command("verify", "Check that restore points are intact and restorable");
        repositoryOptions.AddTo(command);
        command.Options.Add(point);
        command.SetAsyncAction(async (parseResult, context) =>
        {
            var repository = repositoryOptions.OpenRepository(parseResult);
            var domains = repositoryOptions.SelectDomains(parseResult, repository);
            RestorePointId? onlyPoint = null;
            if (parseResult.GetValue(point) is { } text)
            {
                onlyPoint = RestorePointId.TryParse(text, out var id) ? id
                    : throw new InvalidInputException($"\"{text}\" is not a restore point id (yyyyMMddTHHmmssZ, e.g. 20261127T020000Z)", "--point");
                domains = domains.Where(d => File.Exists(d.ManifestPath(id))).ToList();
                if (domains.Count == 0)
                    throw new InvalidInputException($"no selected domain in {repository.Root} has restore point {text}; `fibackup list` shows the points", "--point");
            }

            var verifier = new RepositoryVerifier();
            int points = 0, files = 0, broken = 0;
            (string Name, VerificationProblem Problem)? first = null;
            foreach (var domain in domains)
            {
                var report = await verifier.VerifyAsync(domain, onlyPoint, context.CancellationToken);
                var name = $"{domain.Host}/{domain.Domain}";
                files += report.FilesChecked;
                foreach (var result in report.Points)
                {
                    points++;
                    if (result.Intact)
                    {
                        context.Output.WriteLine($"{name} {result.PointId} OK ({Wording.Count(result.FilesChecked, "file")})");
                        continue;
                    }
                    broken++;
                    context.Output.WriteLine($"{name} {result.PointId} BROKEN");
                    foreach (var problem in result.Problems)
                        context.Output.WriteLine($"  {problem}");
                    first ??= ($"{name} {result.PointId}", result.Problems[0]);
                }
            }
            context.Output.WriteLine(
                $"verified {Wording.Count(points, "restore point")}, {Wording.Count(files, "file")} in {Wording.Count(domains.Count, "domain")}: {(broken == 0 ? "all intact" : $"{broken} broken")}");
            if (first is not { } bad) return CommandRunner.Success;
            context.Error.WriteLine(
                $"fibackup: error: {Wording.Count(broken, "restore point")} broken; first: {bad.Name}: {bad.Problem.FullPath}: {bad.Problem.Detail}");
            return CommandRunner.Failure;
        });
        return command;
    }
}
