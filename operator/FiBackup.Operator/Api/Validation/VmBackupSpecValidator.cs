using FiBackup.Operator.Api.V1Alpha1;
using FluentValidation;

namespace FiBackup.Operator.Api.Validation;

/// <summary>
/// A VmBackup names its domain and either a policy (whose source and destination it uses) or
/// both a source and a destination of its own.
/// </summary>
public sealed class VmBackupSpecValidator : AbstractValidator<VmBackupSpec>
{
    private const string EitherOr = "expected spec.policyRef.name, or both spec.source and spec.destination";

    public VmBackupSpecValidator()
    {
        RuleFor(s => s.Domain).DomainName().OverridePropertyName("spec.domain");

        RuleFor(s => s.PolicyRef!.Name).ObjectName("VmBackupPolicy").OverridePropertyName("spec.policyRef.name")
            .When(s => s.PolicyRef is not null);
        RuleFor(s => s.Source).NotNull().OverridePropertyName("spec.source")
            .WithMessage($"null is not a source, and there is no spec.policyRef: {EitherOr}")
            .When(s => s.PolicyRef is null);
        RuleFor(s => s.Destination).NotNull().OverridePropertyName("spec.destination")
            .WithMessage($"null is not a destination, and there is no spec.policyRef: {EitherOr}")
            .When(s => s.PolicyRef is null);
        // A policyRef and an own source would leave it unclear which one the backup reads.
        RuleFor(s => s.Source).Null().OverridePropertyName("spec.source")
            .WithMessage(s => $"a source is set together with spec.policyRef {Quote.Of(s.PolicyRef!.Name)}: {EitherOr}, not both")
            .When(s => s.PolicyRef is not null);
        RuleFor(s => s.Destination).Null().OverridePropertyName("spec.destination")
            .WithMessage(s => $"a destination is set together with spec.policyRef {Quote.Of(s.PolicyRef!.Name)}: {EitherOr}, not both")
            .When(s => s.PolicyRef is not null);

        RuleFor(s => s.Source).SetValidator(new BackupSourceValidator()!).OverridePropertyName("spec.source");
        RuleFor(s => s.Destination).SetValidator(new BackupDestinationValidator()!).OverridePropertyName("spec.destination");
    }
}
