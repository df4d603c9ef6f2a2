using FiBackup.Operator.Api.V1Alpha1;
using FiBackup.Operator.Api.Validation;
using static FiBackup.Operator.Tests.Validation.Specs;

namespace FiBackup.Operator.Tests.Validation;

public sealed class BackupSpecValidationTests
{
    private static readonly BackupSource Source = new() { Libvirt = new LibvirtSource { Uri = "qemu:///system" } };

    [Fact]
    public void A_backup_with_a_policy_ref_is_valid() =>
        Assert.True(SpecValidation.Validate(ManualBackup).IsValid, SpecValidation.Validate(ManualBackup).Summary);

    [Fact]
    public void A_backup_with_its_own_source_and_destination_is_valid()
    {
        var result = SpecValidation.Validate(ManualBackup with { PolicyRef = null, Source = Source, Destination = Destination("vm-backups") });

        Assert.True(result.IsValid, result.Summary);
    }

    [Fact]
    public void A_backup_without_policy_ref_needs_a_destination() =>
        SingleError(SpecValidation.Validate(ManualBackup with { PolicyRef = null, Source = Source }),
            "spec.destination", "null is not a destination, and there is no spec.policyRef");

    [Fact]
    public void A_backup_without_policy_ref_needs_a_source() =>
        SingleError(SpecValidation.Validate(ManualBackup with { PolicyRef = null, Destination = Destination("vm-backups") }),
            "spec.source", "null is not a source, and there is no spec.policyRef");

    [Fact]
    public void A_backup_with_a_policy_ref_and_its_own_source_is_refused_as_ambiguous() =>
        SingleError(SpecValidation.Validate(ManualBackup with { Source = Source }), "spec.source", "spec.policyRef \"nightly\"");

    [Fact]
    public void Its_own_source_and_destination_follow_the_policy_rules()
    {
        var result = SpecValidation.Validate(ManualBackup with
        {
            PolicyRef = null,
            Source = new BackupSource { Libvirt = new LibvirtSource { Uri = "lxc:///" } },
            Destination = Destination("vm-backups", "../x"),
        });

        Assert.Equal(["spec.source.libvirt.uri", "spec.destination.persistentVolumeClaim.subPath"], result.Errors.Select(e => e.Field));
    }

    [Theory]
    [InlineData("web/1")]
    [InlineData("")]
    [InlineData(" web-1")]
    [InlineData("..")]
    public void A_domain_that_libvirt_or_the_repository_cannot_hold_is_refused(string domain) =>
        SingleError(SpecValidation.Validate(ManualBackup with { Domain = domain }),
            "spec.domain", $"\"{domain}\" is not a valid libvirt domain name");

    [Fact]
    public void A_domain_name_with_spaces_and_dots_inside_is_accepted() =>
        Assert.True(SpecValidation.Validate(ManualBackup with { Domain = "Windows 11.prod_2" }).IsValid);

    [Fact]
    public void A_policy_ref_that_is_no_kubernetes_name_is_refused() =>
        SingleError(SpecValidation.Validate(ManualBackup with { PolicyRef = new LocalReference { Name = "Nightly" } }),
            "spec.policyRef.name", "\"Nightly\" is not a valid VmBackupPolicy name");
}
