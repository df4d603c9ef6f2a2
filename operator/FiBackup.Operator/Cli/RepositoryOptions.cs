using System.CommandLine;
using FiBackup.Engine.Errors;
using FiBackup.Engine.Repository;

namespace FiBackup.Operator.Cli;

/// <summary>The options that pick a repository and its domains, shared by list, verify and prune.</summary>
internal sealed class RepositoryOptions
{
    public Option<string> Repository { get; } = CliOptions.Repository();

    public Option<string?> Domain { get; }

    public Option<string?> Host { get; } = new("--host")
    {
        Description = "Only the domain(s) backed up from this libvirt host (the repository's first folder level)",
    };

    public RepositoryOptions(bool domainRequired, string domainDescription)
    {
        Domain = new Option<string?>("--domain", "-d") { Required = domainRequired, Description = domainDescription };
    }

    public void AddTo(Command command)
    {
        command.Options.Add(Repository);
        command.Options.Add(Domain);
        command.Options.Add(Host);
    }

    /// <summary>The repository named by --repository; a missing directory is an error naming it.</summary>
    public RepositoryLayout OpenRepository(ParseResult parseResult)
    {
        var directory = parseResult.GetValue(Repository)!;
        if (!System.IO.Directory.Exists(directory))
            throw new InvalidInputException(
                $"{Path.GetFullPath(directory)} does not exist or is not a directory; give the repository directory", "--repository");
        return new RepositoryLayout(directory);
    }

    /// <summary>The domains --domain and --host select (every domain when neither is given).</summary>
    public IReadOnlyList<DomainLayout> SelectDomains(ParseResult parseResult, RepositoryLayout repository)
    {
        var domain = parseResult.GetValue(Domain);
        var host = parseResult.GetValue(Host);
        if (domain is not null) RepositoryName.Validate(EngineField.Domain, domain);
        if (host is not null) RepositoryName.Validate(EngineField.Host, host);
        var selected = repository.Domains(domain, host).ToList();
        if (selected.Count == 0 && (domain is not null || host is not null))
        {
            var all = repository.Domains().ToList();
            var which = string.Join(" ", new[] { domain is null ? null : $"domain \"{domain}\"", host is null ? null : $"host \"{host}\"" }.OfType<string>());
            var known = all.Count == 0 ? "it has none" : "it has " + string.Join(", ", all.Select(d => $"{d.Host}/{d.Domain}"));
            throw new InvalidInputException($"no {which} in repository {repository.Root} ({known})", domain is null ? "--host" : "--domain");
        }
        return selected;
    }

    /// <summary>Exactly one domain, for commands that change a domain; the same name under two hosts needs --host.</summary>
    public DomainLayout SelectOneDomain(ParseResult parseResult, RepositoryLayout repository)
    {
        var selected = SelectDomains(parseResult, repository);
        if (selected.Count > 1)
            throw new InvalidInputException(
                $"\"{selected[0].Domain}\" exists under several hosts ({string.Join(", ", selected.Select(d => d.Host))}); add --host to choose one",
                "--host");
        return selected[0];
    }
}
