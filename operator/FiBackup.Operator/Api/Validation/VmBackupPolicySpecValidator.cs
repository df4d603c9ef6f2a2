using FiBackup.Operator.Api.V1Alpha1;
using FluentValidation;

namespace FiBackup.Operator.Api.Validation;

/// <summary>
/// What the CRD schema cannot say about a VmBackupPolicy: a cron that parses, a time zone that
/// exists, a URI libvirt understands, paths that stay where they belong. Field paths are the ones
/// users type (spec.schedule, spec.destination.persistentVolumeClaim.subPath).
/// </summary>
public sealed class VmBackupPolicySpecValidator : AbstractValidator<VmBackupPolicySpec>
{
    public VmBackupPolicySpecValidator()
    {
        RuleFor(s => s.Source).NotNull().OverridePropertyName("spec.source")
            .WithMessage("null is not a source: expected source: {libvirt: {uri: qemu:///system}}");
        RuleFor(s => s.Source).SetValidator(new BackupSourceValidator()).OverridePropertyName("spec.source");

        RuleFor(s => s.Domains).NotNull().OverridePropertyName("spec.domains")
            .WithMessage("null selects no domain: expected names, patterns or all: true");
        RuleFor(s => s.Domains).SetValidator(new DomainSelectorValidator()).OverridePropertyName("spec.domains");

        RuleFor(s => s.Schedule).CronSchedule().OverridePropertyName("spec.schedule");
        RuleFor(s => s.TimeZone).KnownTimeZone().OverridePropertyName("spec.timeZone")
            .When(s => !string.IsNullOrEmpty(s.TimeZone));
        RuleFor(s => s.StartingDeadlineSeconds).GreaterThanOrEqualTo(0).OverridePropertyName("spec.startingDeadlineSeconds")
            .WithMessage((_, value) => $"{value} is negative: expected 0 or more seconds");

        RuleFor(s => s.Destination).NotNull().OverridePropertyName("spec.destination")
            .WithMessage("null is not a destination: expected destination: {persistentVolumeClaim: {claimName: <a PVC of this namespace>}}");
        RuleFor(s => s.Destination).SetValidator(new BackupDestinationValidator()).OverridePropertyName("spec.destination");

        RuleFor(s => s.OverlayDirectory).AbsolutePath().OverridePropertyName("spec.overlayDirectory")
            .When(s => s.OverlayDirectory is not null);

        RuleFor(s => s.Retention).SetValidator(new RetentionValidator()!).OverridePropertyName("spec.retention");
        RuleFor(s => s.Concurrency!.MaxParallel).InclusiveBetween(1, 64).OverridePropertyName("spec.concurrency.maxParallel")
            .WithMessage((_, value) => $"{value} is out of range: expected 1 to 64 backups at once")
            .When(s => s.Concurrency is not null);
        RuleFor(s => s.BandwidthLimit).PositiveQuantity().OverridePropertyName("spec.bandwidthLimit")
            .When(s => s.BandwidthLimit is not null);
        RuleFor(s => s.BackoffLimit).InclusiveBetween(0, 100).OverridePropertyName("spec.backoffLimit")
            .WithMessage((_, value) => $"{value} is out of range: expected 0 to 100 retries");
    }
}

/// <summary>spec.domains: at least one way to select, and no empty entries.</summary>
public sealed class DomainSelectorValidator : AbstractValidator<DomainSelector>
{
    public DomainSelectorValidator()
    {
        RuleFor(d => d).Must(d => d.All || d.Names is { Count: > 0 } || d.Patterns is { Count: > 0 }).OverridePropertyName("")
            .WithMessage("{} selects no domain: expected at least one of names, patterns or all: true");
        RuleForEach(d => d.Names).DomainName().OverridePropertyName("names");
        RuleForEach(d => d.Patterns).NotBlank("a glob pattern such as db-*").OverridePropertyName("patterns");
        RuleForEach(d => d.Exclude).NotBlank("a glob pattern such as scratch-*").OverridePropertyName("exclude");
    }
}

/// <summary>spec.retention: counts of points to keep; a retention that keeps nothing is a mistake, not a wish.</summary>
public sealed class RetentionValidator : AbstractValidator<RetentionSpec>
{
    public RetentionValidator()
    {
        Count(r => r.KeepLast, "keepLast");
        Count(r => r.KeepDaily, "keepDaily");
        Count(r => r.KeepWeekly, "keepWeekly");
        Count(r => r.KeepMonthly, "keepMonthly");
        RuleFor(r => r).Must(r => (r.KeepLast ?? 0) + (r.KeepDaily ?? 0) + (r.KeepWeekly ?? 0) + (r.KeepMonthly ?? 0) > 0)
            .OverridePropertyName("")
            .WithMessage((_, r) => $"{Describe(r)} keeps nothing: expected at least one of keepLast, keepDaily, keepWeekly, keepMonthly above 0 " +
                "(or no retention at all, which keeps every point)");
    }

    private void Count(System.Linq.Expressions.Expression<Func<RetentionSpec, int?>> count, string name) =>
        RuleFor(count).GreaterThanOrEqualTo(0).OverridePropertyName(name)
            .WithMessage((_, value) => $"{value} is negative: expected 0 or more restore points");

    private static string Describe(RetentionSpec r) =>
        $"{{keepLast: {Show(r.KeepLast)}, keepDaily: {Show(r.KeepDaily)}, keepWeekly: {Show(r.KeepWeekly)}, keepMonthly: {Show(r.KeepMonthly)}}}";

    private static string Show(int? value) => value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null";
}
