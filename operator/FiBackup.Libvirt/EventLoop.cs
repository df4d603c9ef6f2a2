using System.Runtime.InteropServices;
using FiBackup.Libvirt.Interop;

namespace FiBackup.Libvirt;

/// <summary>
/// Process-wide libvirt set-up: silences libvirt's default error printing and runs libvirt's
/// default event loop on one background thread. libvirt requires the event implementation to be
/// registered before the first connection is opened; keepalive and domain events are only
/// dispatched while <c>virEventRunDefaultImpl</c> is being called.
/// </summary>
internal static class EventLoop
{
    private static readonly Lock gate = new();
    private static Thread? thread;

    internal static bool IsRunning => thread is { IsAlive: true };

    internal static unsafe void EnsureStarted()
    {
        lock (gate)
        {
            if (thread is not null) return;
            LibvirtException.Check(NativeMethods.virInitialize(), "virInitialize");
            // Without a handler libvirt prints every error to stderr; the binding reports errors
            // as exceptions instead. The handler is process-global, hence installed once here.
            NativeMethods.virSetErrorFunc(nint.Zero, &IgnoreError);
            LibvirtException.Check(NativeMethods.virEventRegisterDefaultImpl(), "virEventRegisterDefaultImpl");
            thread = new Thread(Run) { IsBackground = true, Name = "libvirt event loop" };
            thread.Start();
        }
    }

    private static void Run()
    {
        while (true)
        {
            if (NativeMethods.virEventRunDefaultImpl() < 0)
            {
                // One failed iteration (e.g. an interrupted poll) must not end event delivery.
                NativeMethods.virResetLastError();
                Thread.Sleep(50);
            }
        }
    }

    [UnmanagedCallersOnly]
    private static void IgnoreError(nint userData, nint error) { }
}
