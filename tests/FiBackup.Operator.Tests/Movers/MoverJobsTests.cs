using FiBackup.Operator.Api.V1Alpha1;
using FiBackup.Operator.Movers.Jobs;
using k8s.Models;

namespace FiBackup.Operator.Tests.Movers;

public sealed class MoverJobsTests
{
    private static readonly JobMoverOptions Options = new()
    {
        Image = "ghcr.io/fi-backup/fibackup:1.0", ServiceAccount = "fibackup-mover",
        HostPaths = ["/var/run/libvirt", "/var/lib/libvirt/images"], LeaseNamespace = "fibackup-system",
    };

    private static VmBackup Backup(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "vm-backups", Uid = "3f1c-uid" },
        Spec = new VmBackupSpec { Domain = "web-1" },
    };

    [Fact]
    public void The_job_is_owned_by_its_backup_runs_on_the_libvirt_node_and_mounts_the_claim_where_the_mover_looks()
    {
        var job = MoverJobs.Build(Backup("nightly-web-1-20261127t020000z"), "backup", 1, "hv1", "vm-backups", Options);

        Assert.Equal("fibackup-backup-nightly-web-1-20261127t020000z-1", job.Metadata.Name);
        Assert.Equal("vm-backups", job.Metadata.NamespaceProperty);
        var owner = Assert.Single(job.Metadata.OwnerReferences);
        Assert.Equal(("fibackup.io/v1alpha1", "VmBackup", "nightly-web-1-20261127t020000z", "3f1c-uid", true),
            (owner.ApiVersion, owner.Kind, owner.Name, owner.Uid, owner.Controller == true));
        Assert.Equal(0, job.Spec.BackoffLimit);
        var pod = job.Spec.Template.Spec;
        Assert.Equal("hv1", pod.NodeName);
        Assert.Equal("Never", pod.RestartPolicy);
        Assert.Equal("fibackup-mover", pod.ServiceAccountName);
        var container = Assert.Single(pod.Containers);
        Assert.Equal(Options.Image, container.Image);
        Assert.Equal(["fibackup"], container.Command);
        Assert.Equal(["mover", "backup", "--namespace", "vm-backups", "--name", "nightly-web-1-20261127t020000z",
            "--claims-dir", "/var/lib/fibackup/claims", "--lease-namespace", "fibackup-system"], container.Args);
        Assert.Equal("metadata.name", container.Env.Single(e => e.Name == "POD_NAME").ValueFrom.FieldRef.FieldPath);

        var mounts = container.VolumeMounts.ToDictionary(m => m.Name, m => m.MountPath);
        var volumes = pod.Volumes.ToDictionary(v => v.Name);
        Assert.Equal("/var/lib/fibackup/claims/vm-backups/vm-backups", mounts["repository"]);
        Assert.Equal("vm-backups", volumes["repository"].PersistentVolumeClaim.ClaimName);
        foreach (var path in Options.HostPaths)
        {
            var volume = volumes.Values.Single(v => v.HostPath?.Path == path);
            Assert.Equal(path, mounts[volume.Name]);
        }
    }

    [Fact]
    public void Without_a_node_name_the_pod_is_left_to_the_scheduler()
    {
        var job = MoverJobs.Build(Backup("b"), "restore", 2, null, "vm-backups", Options);
        Assert.Null(job.Spec.Template.Spec.NodeName);
        Assert.Equal("fibackup-restore-b-2", job.Metadata.Name);
    }

    [Fact]
    public void A_long_name_is_cut_to_63_characters_and_stays_unique_and_deterministic()
    {
        var a = new string('a', 240) + "-one";
        var b = new string('a', 240) + "-two";
        var name = MoverJobs.Name("backup", a, 3);
        Assert.True(name.Length <= 63, name);
        Assert.Matches("^fibackup-backup-a+-[0-9a-f]{8}-3$", name);
        Assert.Equal(name, MoverJobs.Name("backup", a, 3));
        Assert.NotEqual(name, MoverJobs.Name("backup", b, 3));
        Assert.NotEqual(name, MoverJobs.Name("backup", a, 4));
    }
}
