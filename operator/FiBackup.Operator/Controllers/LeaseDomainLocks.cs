using System.Net;
using System.Security.Cryptography;
using System.Text;
using FiBackup.Engine.Errors;
using FiBackup.Engine.Repository.Locking;
using FiBackup.Operator.Runtime;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace FiBackup.Operator.Controllers;

/// <summary>
/// One operation per domain (invariant 5) across operator instances and movers: a
/// coordination.k8s.io Lease per (hypervisor, domain UUID), held and renewed while the operation
/// runs, deleted when it ends. A holder that died stops renewing; once its lease has expired the
/// next operation takes it over. The key is the hypervisor's identity and the domain's UUID, so two
/// URIs for one host, or a renamed domain, still share one lease.
/// </summary>
public sealed class LeaseDomainLocks(IKubernetes client, string leaseNamespace, string identity, TimeProvider time) : IDomainLocks
{
    private readonly IKubernetes client = client;
    private readonly TimeProvider time = time;

    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan RenewInterval { get; init; } = TimeSpan.FromSeconds(10);

    public static string LeaseName(DomainLockKey key)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{key.HypervisorId}/{key.DomainUuid:D}")))[..20];
        return $"fibackup-domain-{hash}";
    }

    public async Task<IAsyncDisposable> AcquireAsync(DomainLockKey key, string purpose, CancellationToken ct)
    {
        var name = LeaseName(key);
        var now = time.GetUtcNow().UtcDateTime;
        var spec = new V1LeaseSpec
        {
            HolderIdentity = identity, LeaseDurationSeconds = (int)LeaseDuration.TotalSeconds, AcquireTime = now, RenewTime = now,
        };
        var lease = new V1Lease
        {
            Metadata = new V1ObjectMeta
            {
                Name = name, NamespaceProperty = leaseNamespace,
                Annotations = new Dictionary<string, string> { ["fibackup.io/domain"] = key.DomainName, ["fibackup.io/purpose"] = purpose },
            },
            Spec = spec,
        };
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return new HeldLease(this, await TakeAsync(name, lease, spec, key, now, ct));
            }
            catch (HttpOperationException e) when (attempt < 5 && (ApiErrors.IsTransient(e) || ApiErrors.IsNotFound(e)))
            {
                // A lost race (the lease vanished or changed between read and write) or a passing API failure.
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), time, ct);
            }
            catch (HttpOperationException e)
            {
                throw new FibackupException(ErrorReason.DomainBusy,
                    $"the lock of domain {key.DomainName} (Lease {leaseNamespace}/{name}) could not be taken: {e.Message}", inner: e, retryable: true);
            }
        }
    }

    private async Task<V1Lease> TakeAsync(string name, V1Lease lease, V1LeaseSpec spec, DomainLockKey key, DateTime now, CancellationToken ct)
    {
        try
        {
            return await client.CoordinationV1.CreateNamespacedLeaseAsync(lease, leaseNamespace, cancellationToken: ct);
        }
        catch (HttpOperationException e) when (ApiErrors.IsAlreadyExists(e))
        {
            var held = await client.CoordinationV1.ReadNamespacedLeaseAsync(name, leaseNamespace, cancellationToken: ct);
            var renewed = held.Spec.RenewTime ?? held.Spec.AcquireTime ?? DateTime.MinValue;
            var expires = renewed.ToUniversalTime() + TimeSpan.FromSeconds(held.Spec.LeaseDurationSeconds ?? 0);
            if (!string.IsNullOrEmpty(held.Spec.HolderIdentity) && held.Spec.HolderIdentity != identity && expires > now)
            {
                var what = held.Metadata.Annotations is { } notes && notes.TryGetValue("fibackup.io/purpose", out var purposeNote) ? purposeNote : "an operation";
                throw new BusyException(
                    $"domain {key.DomainName} is busy: {what} by {held.Spec.HolderIdentity} holds Lease {leaseNamespace}/{name} (renewed {renewed:u}, expires {expires:u} unless renewed); try again when it ends");
            }
            held.Spec = spec with { LeaseTransitions = (held.Spec.LeaseTransitions ?? 0) + 1 };
            held.Metadata.Annotations = lease.Metadata.Annotations;
            return await client.CoordinationV1.ReplaceNamespacedLeaseAsync(held, name, leaseNamespace, cancellationToken: ct);
        }

    }

    private sealed class HeldLease : IAsyncDisposable
    {
        private readonly LeaseDomainLocks owner;
        private readonly CancellationTokenSource stop = new();
        private readonly Task renewing;
        private V1Lease lease;

        public HeldLease(LeaseDomainLocks owner, V1Lease lease)
        {
            this.owner = owner;
            this.lease = lease;
            renewing = RenewAsync();
        }

        private async Task RenewAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(owner.RenewInterval, owner.time, stop.Token);
                    lease.Spec.RenewTime = owner.time.GetUtcNow().UtcDateTime;
                    lease = await owner.client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, lease.Metadata.Name, lease.Metadata.NamespaceProperty, cancellationToken: stop.Token);
                }
                catch (OperationCanceledException) { return; }
                catch (Exception)
                {
                    // A failed renewal is retried at the next interval; the lease lasts three of them.
                    try { lease = await owner.client.CoordinationV1.ReadNamespacedLeaseAsync(lease.Metadata.Name, lease.Metadata.NamespaceProperty, cancellationToken: stop.Token); }
                    catch (OperationCanceledException) { return; }
                    catch (Exception) { /* next interval */ }
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            await renewing;
            try
            {
                await owner.client.CoordinationV1.DeleteNamespacedLeaseAsync(lease.Metadata.Name, lease.Metadata.NamespaceProperty,
                    new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = lease.Metadata.Uid } });
            }
            catch (HttpOperationException)
            {
                // Gone already, or the API is down: it expires by itself.
            }
            stop.Dispose();
        }
    }
}
