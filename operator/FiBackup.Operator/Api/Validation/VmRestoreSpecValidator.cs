using FiBackup.Operator.Api.V1Alpha1;
using FluentValidation;

namespace FiBackup.Operator.Api.Validation;

/// <summary>
/// A VmRestore names a VmBackup and a directory on the host. Whether inPlace contradicts a new
/// target.domain depends on the backup's original name, so the controller checks that, not this.
/// </summary>
public sealed class VmRestoreSpecValidator : AbstractValidator<VmRestoreSpec>
{
    public VmRestoreSpecValidator()
    {
        RuleFor(s => s.BackupRef).NotNull().OverridePropertyName("spec.backupRef")
            .WithMessage("null names no backup: expected backupRef: {name: <a VmBackup of this namespace>}");
        RuleFor(s => s.BackupRef.Name).ObjectName("VmBackup").OverridePropertyName("spec.backupRef.name")
            .When(s => s.BackupRef is not null);

        RuleFor(s => s.Target).NotNull().OverridePropertyName("spec.target")
            .WithMessage("null is not a target: expected target: {directory: /var/lib/libvirt/images/restored}");
        RuleFor(s => s.Target.Directory).AbsolutePath().OverridePropertyName("spec.target.directory")
            .When(s => s.Target is not null);
        RuleFor(s => s.Target.Domain).DomainName().OverridePropertyName("spec.target.domain")
            .When(s => s.Target?.Domain is not null);

        RuleForEach(s => s.Disks).DiskTargetName().OverridePropertyName("spec.disks");
        RuleForEach(s => s.Disks).Must((spec, disk) => spec.Disks!.Count(d => d == disk) == 1).OverridePropertyName("spec.disks")
            .WithMessage((_, disk) => $"{Quote.Of(disk)} is listed more than once: expected each disk target once");
    }
}
