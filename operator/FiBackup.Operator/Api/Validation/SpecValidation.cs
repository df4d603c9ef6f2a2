using FiBackup.Operator.Api.V1Alpha1;
using FluentValidation;

namespace FiBackup.Operator.Api.Validation;

/// <summary>The problems of one spec, each with the field path users see, and the line a condition shows.</summary>
public sealed record SpecValidationResult(IReadOnlyList<(string Field, string Message)> Errors)
{
    public bool IsValid => Errors.Count == 0;

    /// <summary>"spec.schedule: ...; spec.timeZone: ..." for a condition message or an Event; empty when valid.</summary>
    public string Summary => string.Join("; ", Errors.Select(e => $"{e.Field}: {e.Message}"));
}

/// <summary>
/// The entry point controllers call before acting on a spec (DESIGN §2.6: bad input gets a clear
/// error naming the field and changes nothing).
/// </summary>
public static class SpecValidation
{
    private static readonly VmBackupPolicySpecValidator Policy = new();
    private static readonly VmBackupSpecValidator Backup = new();
    private static readonly VmRestoreSpecValidator Restore = new();

    public static SpecValidationResult Validate(VmBackupPolicySpec spec) => From(Policy.Validate(spec));
    public static SpecValidationResult Validate(VmBackupSpec spec) => From(Backup.Validate(spec));
    public static SpecValidationResult Validate(VmRestoreSpec spec) => From(Restore.Validate(spec));

    private static SpecValidationResult From(FluentValidation.Results.ValidationResult result) =>
        new([.. result.Errors.Select(e => (e.PropertyName, e.ErrorMessage))]);
}
