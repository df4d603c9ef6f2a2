using FiBackup.Operator.Api.Validation;
using FiBackup.Operator.Api.V1Alpha1;

namespace FiBackup.Operator.Controllers;

/// <summary>
/// The semantic checks of a spec (Api/Validation) as the one-line condition message
/// "spec.schedule: ...; spec.timeZone: ...", or null when the spec is valid.
/// </summary>
public static class SpecChecks
{
    public static string? Policy(VmBackupPolicySpec spec) => Summary(SpecValidation.Validate(spec));
    public static string? Backup(VmBackupSpec spec) => Summary(SpecValidation.Validate(spec));
    public static string? Restore(VmRestoreSpec spec) => Summary(SpecValidation.Validate(spec));

    private static string? Summary(SpecValidationResult result) => result.IsValid ? null : result.Summary;
}
