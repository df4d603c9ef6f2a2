using FiBackup.Libvirt.Interop;

namespace FiBackup.Libvirt;

/// <summary>Facts about the libvirt library this process loaded.</summary>
public static class LibvirtLibrary
{
    /// <summary>The version of libvirt.so.0 that was loaded, e.g. 9.0.0.</summary>
    public static Version Version
    {
        get
        {
            if (NativeMethods.virGetVersion(out var lib, null, out _) != 0)
                throw new InvalidOperationException("virGetVersion failed");
            return DecodeVersion((ulong)lib);
        }
    }

    /// <summary>libvirt encodes versions as major * 1,000,000 + minor * 1,000 + release.</summary>
    internal static Version DecodeVersion(ulong encoded) =>
        new((int)(encoded / 1_000_000), (int)(encoded / 1_000 % 1_000), (int)(encoded % 1_000));
}
