using System.Security.Cryptography;
using System.Text;
using k8s;
using k8s.Models;

namespace FiBackup.Operator.Movers.Jobs;

/// <summary>
/// The batch/v1 Job of one attempt: `fibackup mover VERB --namespace NS --name NAME` on the libvirt
/// host's node, the repository claim mounted where <see cref="ClaimDirectories"/> looks for it, the
/// host paths at the same paths, owned by the object (deleting it deletes the Job).
/// </summary>
public static class MoverJobs
{
    /// <summary>Where the mover finds claims: the PVC NS/CLAIM is mounted at ClaimsMountPath/NS/CLAIM.</summary>
    public const string ClaimsMountPath = "/var/lib/fibackup/claims";

    public const string ContainerName = "mover";
    public const string ComponentLabel = "app.kubernetes.io/component";
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";

    /// <summary>
    /// fibackup-VERB-NAME-ATTEMPT, at most 63 characters: the Job controller puts the name into a
    /// label value of every pod. A long name is cut and a hash of the whole keeps it unique.
    /// Deterministic, so an operator restarted after creating a Job finds it instead of making another.
    /// </summary>
    public static string Name(string verb, string objectName, int attempt)
    {
        var suffix = $"-{attempt}";
        var name = $"fibackup-{verb}-{objectName}{suffix}";
        if (name.Length <= 63) return name;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(objectName)))[..8];
        var room = 63 - $"fibackup-{verb}--{hash}{suffix}".Length;
        return $"fibackup-{verb}-{objectName[..room].TrimEnd('-', '.')}-{hash}{suffix}";
    }

    public static V1Job Build(IKubernetesObject<V1ObjectMeta> owner, string verb, int attempt, string? nodeName, string claimName, JobMoverOptions options)
    {
        var ns = owner.Metadata.NamespaceProperty;
        var labels = new Dictionary<string, string>
        {
            ["app.kubernetes.io/name"] = "fibackup",
            [ComponentLabel] = "mover",
            [ManagedByLabel] = "fibackup-operator",
        };
        var mounts = new List<V1VolumeMount> { new() { Name = "repository", MountPath = $"{ClaimsMountPath}/{ns}/{claimName}" } };
        var volumes = new List<V1Volume>
        {
            new() { Name = "repository", PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = claimName } },
        };
        foreach (var (path, index) in options.HostPaths.Select((p, i) => (p, i)))
        {
            volumes.Add(new V1Volume { Name = $"host-{index}", HostPath = new V1HostPathVolumeSource { Path = path, Type = "Directory" } });
            mounts.Add(new V1VolumeMount { Name = $"host-{index}", MountPath = path });
        }
        return new V1Job
        {
            ApiVersion = "batch/v1",
            Kind = "Job",
            Metadata = new V1ObjectMeta
            {
                Name = Name(verb, owner.Metadata.Name, attempt),
                NamespaceProperty = ns,
                Labels = labels,
                OwnerReferences =
                [
                    new V1OwnerReference
                    {
                        ApiVersion = owner.ApiVersion, Kind = owner.Kind, Name = owner.Metadata.Name, Uid = owner.Metadata.Uid,
                        Controller = true, BlockOwnerDeletion = true,
                    },
                ],
            },
            Spec = new V1JobSpec
            {
                // One pod per Job: the operator makes a new Job per attempt under the policy's backoffLimit,
                // so a busy domain waits without spending an attempt and a terminal reason is not retried.
                BackoffLimit = 0,
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string>(labels) },
                    Spec = new V1PodSpec
                    {
                        RestartPolicy = "Never",
                        NodeName = string.IsNullOrEmpty(nodeName) ? null : nodeName,
                        ServiceAccountName = options.ServiceAccount,
                        Containers =
                        [
                            new V1Container
                            {
                                Name = ContainerName,
                                Image = options.Image,
                                Command = ["fibackup"],
                                // A mover that fails before it could write its status leaves its last
                                // log lines in the pod's status, where the operator quotes them.
                                TerminationMessagePolicy = "FallbackToLogsOnError",
                                Args =
                                [
                                    "mover", verb, "--namespace", ns, "--name", owner.Metadata.Name,
                                    "--claims-dir", ClaimsMountPath, "--lease-namespace", options.LeaseNamespace,
                                ],
                                Env =
                                [
                                    new V1EnvVar
                                    {
                                        Name = "POD_NAME",
                                        ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.name" } },
                                    },
                                ],
                                VolumeMounts = mounts,
                            },
                        ],
                        Volumes = volumes,
                    },
                },
            },
        };
    }
}
