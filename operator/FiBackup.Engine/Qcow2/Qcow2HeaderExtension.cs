namespace FiBackup.Engine.Qcow2;

/// <summary>One header extension of a qcow2 image (type, then its data; padding not included).</summary>
public sealed record Qcow2HeaderExtension(uint Type, ReadOnlyMemory<byte> Data)
{
    // Extension types from qemu's docs/interop/qcow2.txt.
    public const uint EndOfExtensions = 0x00000000;
    public const uint BackingFormatName = 0xE2792ACA;
    public const uint FeatureNameTable = 0x6803F857;
    public const uint Bitmaps = 0x23852875;
    public const uint FullDiskEncryption = 0x0537BE77;
    public const uint ExternalDataFileName = 0x44415441;

    /// <summary>Bytes the extension takes in the header: 8 bytes of type and length, data padded to 8.</summary>
    public int SizeInHeader => 8 + ((Data.Length + 7) & ~7);
}
