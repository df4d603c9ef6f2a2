using System.Text;

namespace FiBackup.KubeApi.Tests;

/// <summary>
/// Hand-written protobuf for tests that need bodies kubectl cannot produce (labels, owner references,
/// broken frames): a message is the concatenation of its fields.
/// </summary>
internal static class ProtoBytes
{
    public static readonly byte[] Magic = "k8s\0"u8.ToArray();

    public static byte[] Message(params byte[][] fields) => [.. fields.SelectMany(f => f)];

    public static byte[] Text(int number, string value) => Bytes(number, Encoding.UTF8.GetBytes(value));

    public static byte[] Bytes(int number, byte[] value) => [.. Varint((ulong)(number << 3 | 2)), .. Varint((ulong)value.Length), .. value];

    public static byte[] Bool(int number, bool value) => [.. Varint((ulong)(number << 3)), value ? (byte)1 : (byte)0];

    /// <summary>A map&lt;string, string&gt; entry: {key = 1, value = 2}.</summary>
    public static byte[] Entry(int number, string key, string value) => Bytes(number, Message(Text(1, key), Text(2, value)));

    /// <summary>What client-go sends: magic, then runtime.Unknown{typeMeta{apiVersion, kind}, raw}.</summary>
    public static byte[] Envelope(string apiVersion, string kind, byte[] raw) =>
        [.. Magic, .. Message(Bytes(1, Message(Text(1, apiVersion), Text(2, kind))), Bytes(2, raw))];

    private static IEnumerable<byte> Varint(ulong value)
    {
        do
        {
            var low = (byte)(value & 0x7f);
            value >>= 7;
            yield return value == 0 ? low : (byte)(low | 0x80);
        } while (value != 0);
    }
}
