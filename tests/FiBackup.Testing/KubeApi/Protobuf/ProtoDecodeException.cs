using Google.Protobuf;

namespace FiBackup.Testing.KubeApi.Protobuf;

/// <summary>A body that is not a well-formed protobuf message; the text is what Go's gogo-generated code says.</summary>
public sealed class ProtoDecodeException(string message) : Exception(message)
{
    /// <summary>Google.Protobuf's wording mapped onto what Go's generated Unmarshal returns.</summary>
    public static ProtoDecodeException From(InvalidProtocolBufferException e) => new(e.Message switch
    {
        var m when m.Contains("ended unexpectedly", StringComparison.Ordinal) => "unexpected EOF",
        var m when m.Contains("negative size", StringComparison.Ordinal) => "proto: negative length found during unmarshaling",
        var m => "proto: " + m,
    });
}
