using FiBackup.Operator.Api.V1Alpha1;
using FiBackup.Operator.Api.Validation;
using k8s.Models;
using static FiBackup.Operator.Tests.Validation.Specs;

namespace FiBackup.Operator.Tests.Validation;

public sealed class PolicySpecValidationTests
{
    [Fact]
    public void The_design_example_policy_is_valid()
    {
        var result = SpecValidation.Validate(Policy);

        Assert.True(result.IsValid, result.Summary);
        Assert.Equal("", result.Summary);
    }

    [Theory]
    [InlineData("@daily")]
    [InlineData("@hourly")]
    [InlineData("@weekly")]
    [InlineData("@monthly")]
    [InlineData("@yearly")]
    [InlineData("*/15 1-5 * * MON-FRI")]
    public void A_five_field_cron_or_a_macro_is_a_valid_schedule(string schedule) =>
        Assert.True(SpecValidation.Validate(Policy with { Schedule = schedule }).IsValid);

    [Fact]
    public void A_minute_out_of_range_is_not_a_valid_schedule_and_the_message_says_why()
    {
        var (_, message) = SingleError(SpecValidation.Validate(Policy with { Schedule = "61 * * * *" }), "spec.schedule", "\"61 * * * *\"");

        Assert.StartsWith("\"61 * * * *\" is not a valid cron expression: ", message);
    }

    [Theory]
    [InlineData("0 0 2 * * *")]
    [InlineData("0 2 * *")]
    [InlineData("@every_minute")]
    [InlineData("")]
    public void A_schedule_of_other_than_five_fields_or_a_known_macro_is_refused(string schedule) =>
        SingleError(SpecValidation.Validate(Policy with { Schedule = schedule }), "spec.schedule", $"\"{schedule}\" is not a valid cron expression");

    [Theory]
    [InlineData("UTC")]
    [InlineData("America/New_York")]
    public void An_iana_time_zone_is_accepted(string zone) =>
        Assert.True(SpecValidation.Validate(Policy with { TimeZone = zone }).IsValid);

    [Theory]
    [InlineData("Europe/Roma")]
    [InlineData("../../etc/passwd")]
    [InlineData("/etc/localtime")]
    public void A_time_zone_that_does_not_exist_is_refused(string zone) =>
        SingleError(SpecValidation.Validate(Policy with { TimeZone = zone }), "spec.timeZone", $"\"{zone}\" is not a known time zone");

    [Theory]
    [InlineData("qemu:///session")]
    [InlineData("qemu+ssh://backup@hv1.example/system")]
    [InlineData("qemu+tls://hv1.example/system")]
    [InlineData("qemu+tcp://hv1.example:16509/system")]
    [InlineData("qemu+unix:///system?socket=/run/libvirt/virtqemud-sock")]
    [InlineData("qemu+libssh://root@hv1/system")]
    [InlineData("qemu+libssh2://root@hv1/system?known_hosts=/etc/ssh/known")]
    [InlineData("test:///default")]
    public void A_qemu_or_test_uri_is_accepted(string uri) =>
        Assert.True(SpecValidation.Validate(WithUri(uri)).IsValid, SpecValidation.Validate(WithUri(uri)).Summary);

    [Theory]
    [InlineData("xen:///system", "scheme \"xen\"")]
    [InlineData("qemu:///systen", "/system or /session")]
    [InlineData("qemu+ssh://hv1", "/system or /session")]
    [InlineData("test:///other", "/default")]
    [InlineData("hv1.example", "no scheme")]
    public void A_uri_of_another_driver_or_path_is_refused_saying_what_is_wrong(string uri, string reason)
    {
        var (_, message) = SingleError(SpecValidation.Validate(WithUri(uri)), "spec.source.libvirt.uri", $"\"{uri}\" is not a supported libvirt URI");

        Assert.Contains(reason, message);
    }

    [Fact]
    public void A_source_without_libvirt_is_refused() =>
        SingleError(SpecValidation.Validate(Policy with { Source = new BackupSource() }), "spec.source.libvirt", "null");

    [Fact]
    public void A_credentials_secret_name_must_be_a_kubernetes_name() =>
        SingleError(SpecValidation.Validate(Policy with
        {
            Source = new BackupSource { Libvirt = new LibvirtSource { Uri = "qemu+ssh://hv1/system", CredentialsSecretRef = new LocalReference { Name = "HV1 Key" } } },
        }), "spec.source.libvirt.credentialsSecretRef.name", "\"HV1 Key\" is not a valid Secret name");

    [Theory]
    [InlineData("Vm_Backups")]
    [InlineData("-backups")]
    [InlineData("backups.")]
    public void A_claim_name_that_is_no_dns_subdomain_is_refused(string claim) =>
        SingleError(SpecValidation.Validate(Policy with { Destination = Destination(claim) }),
            "spec.destination.persistentVolumeClaim.claimName", $"\"{claim}\" is not a valid PersistentVolumeClaim name");

    [Theory]
    [InlineData("/hv1")]
    [InlineData("../other")]
    [InlineData("hv1/../../other")]
    [InlineData("..")]
    [InlineData("hv1\\..\\other")]
    [InlineData("")]
    public void A_sub_path_that_is_absolute_or_climbs_out_is_refused(string subPath) =>
        SingleError(SpecValidation.Validate(Policy with { Destination = Destination("vm-backups", subPath) }),
            "spec.destination.persistentVolumeClaim.subPath", $"{Quote(subPath)} is not a relative path inside the claim");

    [Fact]
    public void A_nested_sub_path_is_accepted() =>
        Assert.True(SpecValidation.Validate(Policy with { Destination = Destination("vm-backups", "backups/hv1") }).IsValid);

    [Fact]
    public void A_negative_retention_count_is_refused() =>
        SingleError(SpecValidation.Validate(Policy with { Retention = new RetentionSpec { KeepLast = 3, KeepDaily = -1 } }),
            "spec.retention.keepDaily", "-1 is negative");

    [Fact]
    public void A_retention_that_keeps_nothing_is_refused()
    {
        var (_, message) = SingleError(SpecValidation.Validate(Policy with { Retention = new RetentionSpec { KeepLast = 0 } }),
            "spec.retention", "keepLast: 0");

        Assert.Contains("keeps nothing", message);
    }

    [Fact]
    public void No_retention_at_all_is_valid() =>
        Assert.True(SpecValidation.Validate(Policy with { Retention = null }).IsValid);

    [Fact]
    public void A_selector_without_names_patterns_or_all_is_refused() =>
        SingleError(SpecValidation.Validate(Policy with { Domains = new DomainSelector { Names = [], Exclude = ["x"] } }),
            "spec.domains", "selects no domain");

    [Fact]
    public void All_domains_is_a_selector_on_its_own() =>
        Assert.True(SpecValidation.Validate(Policy with { Domains = new DomainSelector { All = true } }).IsValid);

    [Fact]
    public void An_empty_domain_name_is_refused_with_its_index() =>
        SingleError(SpecValidation.Validate(Policy with { Domains = new DomainSelector { Names = ["web-1", ""] } }),
            "spec.domains.names[1]", "\"\" is not a valid libvirt domain name");

    [Fact]
    public void A_blank_pattern_is_refused_with_its_index() =>
        SingleError(SpecValidation.Validate(Policy with { Domains = new DomainSelector { Patterns = [" "] } }),
            "spec.domains.patterns[0]", "\" \" is empty");

    [Theory]
    [InlineData("fast")]
    [InlineData("0")]
    [InlineData("-5Mi")]
    public void A_bandwidth_limit_that_is_no_positive_quantity_is_refused(string limit) =>
        SingleError(SpecValidation.Validate(Policy with { BandwidthLimit = (IntOrString)limit }),
            "spec.bandwidthLimit", $"\"{limit}\" is not a positive quantity");

    [Theory]
    [InlineData("50000000")]
    [InlineData("1.5G")]
    public void A_bandwidth_limit_in_bytes_or_with_a_suffix_is_accepted(string limit) =>
        Assert.True(SpecValidation.Validate(Policy with { BandwidthLimit = (IntOrString)limit }).IsValid);

    [Fact]
    public void A_negative_starting_deadline_is_refused() =>
        SingleError(SpecValidation.Validate(Policy with { StartingDeadlineSeconds = -1 }), "spec.startingDeadlineSeconds", "-1 is negative");

    [Fact]
    public void The_bitmap_technique_is_accepted() =>
        Assert.True(SpecValidation.Validate(Policy with { Technique = BackupTechnique.Bitmap }).IsValid);

    [Theory]
    [InlineData("overlays")]
    [InlineData("/var/lib/../../tmp")]
    public void An_overlay_directory_must_be_absolute_without_dot_dot(string directory) =>
        SingleError(SpecValidation.Validate(Policy with { OverlayDirectory = directory }),
            "spec.overlayDirectory", $"\"{directory}\" is not an absolute path");

    [Fact]
    public void Max_parallel_out_of_range_is_refused() =>
        SingleError(SpecValidation.Validate(Policy with { Concurrency = new ConcurrencySpec { MaxParallel = 0 } }),
            "spec.concurrency.maxParallel", "0 is out of range");

    [Fact]
    public void The_summary_joins_every_problem_on_one_line_with_its_field()
    {
        var result = SpecValidation.Validate(Policy with { Schedule = "61 * * * *", TimeZone = "Mars/Olympus" });

        Assert.Equal(["spec.schedule", "spec.timeZone"], result.Errors.Select(e => e.Field));
        Assert.StartsWith("spec.schedule: \"61 * * * *\" is not a valid cron expression: ", result.Summary);
        Assert.Contains("; spec.timeZone: \"Mars/Olympus\" is not a known time zone", result.Summary);
        Assert.DoesNotContain('\n', result.Summary);
    }

    private static string Quote(string value) => System.Text.Json.JsonSerializer.Serialize(value);
}
