using FiBackup.Operator.Api.V1Alpha1;
using FluentValidation;

namespace FiBackup.Operator.Api.Validation;

/// <summary>spec.source of a policy or of a VmBackup without one: which hypervisor, and how it is reached.</summary>
public sealed class BackupSourceValidator : AbstractValidator<BackupSource>
{
    public BackupSourceValidator()
    {
        RuleFor(s => s.Libvirt).NotNull().OverridePropertyName("libvirt")
            .WithMessage("null is not a source: expected libvirt: {uri: qemu:///system} (the only source kind so far)");
        RuleFor(s => s.Libvirt!.Uri).SupportedLibvirtUri().OverridePropertyName("libvirt.uri")
            .When(s => s.Libvirt is not null);
        RuleFor(s => s.Libvirt!.CredentialsSecretRef!.Name).ObjectName("Secret").OverridePropertyName("libvirt.credentialsSecretRef.name")
            .When(s => s.Libvirt?.CredentialsSecretRef is not null);
    }
}

/// <summary>spec.destination: the claim and the repository directory in it.</summary>
public sealed class BackupDestinationValidator : AbstractValidator<BackupDestination>
{
    public BackupDestinationValidator()
    {
        RuleFor(d => d.PersistentVolumeClaim).NotNull().OverridePropertyName("persistentVolumeClaim")
            .WithMessage("null is not a destination: expected persistentVolumeClaim: {claimName: <a PVC of this namespace>}");
        RuleFor(d => d.PersistentVolumeClaim.ClaimName).ObjectName("PersistentVolumeClaim")
            .OverridePropertyName("persistentVolumeClaim.claimName")
            .When(d => d.PersistentVolumeClaim is not null);
        RuleFor(d => d.PersistentVolumeClaim.SubPath).RelativePath()
            .OverridePropertyName("persistentVolumeClaim.subPath")
            .When(d => d.PersistentVolumeClaim?.SubPath is not null);
    }
}
