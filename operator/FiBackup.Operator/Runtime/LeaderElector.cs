using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FiBackup.Operator.Runtime;

/// <summary>
/// Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection: the holder renews
/// renewTime every retry period; others take the lease once it has not changed for leaseDurationSeconds,
/// judged by their own clock from when they last saw it change (so clock skew between pods does not matter).
/// Every write carries the read resourceVersion, so two candidates cannot both win (409 → try again later).
/// </summary>
public sealed class LeaderElector(IKubernetes kubernetes, LeaderElectionOptions options, ILogger? logger = null, TimeProvider? time = null)
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private (string? Holder, DateTime? RenewTime, DateTimeOffset SeenAt)? _observed;
    private volatile bool _isLeader;

    public LeaderElectionOptions Options { get; } = options;

    public bool IsLeader => _isLeader;

    /// <summary>
    /// Waits to become leader, then runs <paramref name="whileLeading"/>. Its token is cancelled when leadership
    /// is lost (no successful renewal within the renew deadline) or on <paramref name="cancellationToken"/>;
    /// this returns once it has ended. On cancellation the lease is released (when <see
    /// cref="LeaderElectionOptions.ReleaseOnCancel"/>); a lost lease is not touched.
    /// </summary>
    public async Task RunAsync(Func<CancellationToken, Task> whileLeading, CancellationToken cancellationToken)
    {
        try
        {
            while (!await TryAcquireOrRenewAsync(cancellationToken).ConfigureAwait(false))
                await Task.Delay(Options.RetryPeriod, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return; // never led, so nothing to release
        }

        _isLeader = true;
        _logger.LogInformation("{Identity} became leader on lease {Namespace}/{Lease}", Options.Identity, Options.LeaseNamespace, Options.LeaseName);
        using var leading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var work = Task.Run(() => whileLeading(leading.Token), CancellationToken.None);
        var lost = await RenewWhileAsync(work, cancellationToken).ConfigureAwait(false);
        _isLeader = false;
        await leading.CancelAsync().ConfigureAwait(false);
        try
        {
            await work.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (leading.IsCancellationRequested)
        {
        }
        finally
        {
            if (lost)
                _logger.LogError("{Identity} lost leadership of lease {Namespace}/{Lease}: no renewal within {Deadline}", Options.Identity, Options.LeaseNamespace, Options.LeaseName, Options.RenewDeadline);
            else if (Options.ReleaseOnCancel)
                await ReleaseAsync().ConfigureAwait(false);
        }
    }

    // Renews until the work ends or we are cancelled (false), or until renewals fail past the deadline (true).
    private async Task<bool> RenewWhileAsync(Task work, CancellationToken cancellationToken)
    {
        var lastRenewal = _time.GetUtcNow();
        while (true)
        {
            await Task.WhenAny(work, Task.Delay(Options.RetryPeriod, _time, cancellationToken)).ConfigureAwait(false);
            if (cancellationToken.IsCancellationRequested || work.IsCompleted) return false;

            // One attempt may not outlive the deadline: a hung request must not keep a stale leader working.
            var left = Options.RenewDeadline - (_time.GetUtcNow() - lastRenewal);
            using var attempt = new CancellationTokenSource(left > TimeSpan.Zero ? left : TimeSpan.Zero, _time);
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, attempt.Token);
            bool renewed;
            try
            {
                renewed = await TryAcquireOrRenewAsync(bounded.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                renewed = false;
            }
            catch (OperationCanceledException)
            {
                // Stopped while a renewal was in flight: a graceful end, as between two renewals.
                return false;
            }
            if (renewed) lastRenewal = _time.GetUtcNow();
            else if (_time.GetUtcNow() - lastRenewal >= Options.RenewDeadline) return true;
        }
    }

    /// <summary>One attempt; API failures are logged and count as "not now". Throws only when cancelled.</summary>
    private async Task<bool> TryAcquireOrRenewAsync(CancellationToken cancellationToken)
    {
        var leases = kubernetes.CoordinationV1;
        try
        {
            var now = _time.GetUtcNow();
            V1Lease lease;
            try
            {
                lease = await leases.ReadNamespacedLeaseAsync(Options.LeaseName, Options.LeaseNamespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                await leases.CreateNamespacedLeaseAsync(new V1Lease
                {
                    Metadata = new V1ObjectMeta { Name = Options.LeaseName, NamespaceProperty = Options.LeaseNamespace },
                    Spec = new V1LeaseSpec
                    {
                        HolderIdentity = Options.Identity, LeaseDurationSeconds = Seconds(Options.LeaseDuration),
                        AcquireTime = now.UtcDateTime, RenewTime = now.UtcDateTime, LeaseTransitions = 0,
                    },
                }, Options.LeaseNamespace, cancellationToken: cancellationToken).ConfigureAwait(false);
                return true;
            }

            var spec = lease.Spec ??= new V1LeaseSpec();
            if (_observed is not { } seen || seen.Holder != spec.HolderIdentity || seen.RenewTime != spec.RenewTime)
                _observed = (spec.HolderIdentity, spec.RenewTime, now);
            var heldByOther = !string.IsNullOrEmpty(spec.HolderIdentity) && spec.HolderIdentity != Options.Identity;
            var duration = TimeSpan.FromSeconds(spec.LeaseDurationSeconds ?? Seconds(Options.LeaseDuration));
            if (heldByOther && _observed.Value.SeenAt + duration > now) return false;

            if (spec.HolderIdentity != Options.Identity)
            {
                spec.AcquireTime = now.UtcDateTime;
                spec.LeaseTransitions = (spec.LeaseTransitions ?? 0) + 1;
            }
            spec.HolderIdentity = Options.Identity;
            spec.LeaseDurationSeconds = Seconds(Options.LeaseDuration);
            spec.RenewTime = now.UtcDateTime;
            // Replace carries metadata.resourceVersion: a write by anyone since our read makes this a 409.
            await leases.ReplaceNamespacedLeaseAsync(lease, Options.LeaseName, Options.LeaseNamespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            _logger.LogDebug("Lease {Namespace}/{Lease} changed under {Identity}; trying again", Options.LeaseNamespace, Options.LeaseName, Options.Identity);
            return false;
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "{Identity} could not acquire or renew lease {Namespace}/{Lease}", Options.Identity, Options.LeaseNamespace, Options.LeaseName);
            return false;
        }
    }

    // client-go's ReleaseOnCancel: an empty holder with a 1 s duration lets the next candidate take over now.
    private async Task ReleaseAsync()
    {
        using var timeout = new CancellationTokenSource(Options.RenewDeadline, _time);
        try
        {
            var lease = await kubernetes.CoordinationV1.ReadNamespacedLeaseAsync(Options.LeaseName, Options.LeaseNamespace, cancellationToken: timeout.Token).ConfigureAwait(false);
            if (lease.Spec?.HolderIdentity != Options.Identity) return;
            lease.Spec.HolderIdentity = null;
            lease.Spec.LeaseDurationSeconds = 1;
            lease.Spec.RenewTime = _time.GetUtcNow().UtcDateTime;
            await kubernetes.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, Options.LeaseName, Options.LeaseNamespace, cancellationToken: timeout.Token).ConfigureAwait(false);
            _logger.LogInformation("{Identity} released lease {Namespace}/{Lease}", Options.Identity, Options.LeaseNamespace, Options.LeaseName);
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "{Identity} could not release lease {Namespace}/{Lease}; others take over when it expires", Options.Identity, Options.LeaseNamespace, Options.LeaseName);
        }
    }

    private static int Seconds(TimeSpan duration) => Math.Max(1, (int)Math.Ceiling(duration.TotalSeconds));
}
