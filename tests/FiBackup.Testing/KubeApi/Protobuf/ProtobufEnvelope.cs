using Google.Protobuf;

namespace FiBackup.Testing.KubeApi.Protobuf;

/// <summary>
/// The frame kube-apiserver's protobuf serializer expects (k8s.io/apimachinery/pkg/runtime/serializer/protobuf):
/// the 4-byte magic "k8s\0", then a runtime.Unknown (runtime/generated.proto: typeMeta = 1 {apiVersion = 1,
/// kind = 2}, raw = 2, contentEncoding = 3, contentType = 4) whose raw bytes are the object's own message.
/// </summary>
public sealed record ProtobufEnvelope(string ApiVersion, string Kind, ByteString Raw)
{
    private static readonly byte[] Magic = [0x6b, 0x38, 0x73, 0x00];

    public static ProtobufEnvelope Open(ReadOnlySpan<byte> body)
    {
        if (!body.StartsWith(Magic))
            throw new ProtoDecodeException("provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]");
        try
        {
            return ReadUnknown(new CodedInputStream(body[Magic.Length..].ToArray()));
        }
        catch (InvalidProtocolBufferException e)
        {
            throw ProtoDecodeException.From(e);
        }
    }

    private static ProtobufEnvelope ReadUnknown(CodedInputStream input)
    {
        string apiVersion = "", kind = "";
        var raw = ByteString.Empty;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag), WireFormat.GetTagWireType(tag))
            {
                case (1, WireFormat.WireType.LengthDelimited):
                    (apiVersion, kind) = ReadTypeMeta(input.ReadBytes().CreateCodedInput());
                    break;
                case (2, WireFormat.WireType.LengthDelimited):
                    raw = input.ReadBytes();
                    break;
                case (1 or 2, var wireType):
                    throw new ProtoDecodeException($"proto: wrong wireType = {(int)wireType} for field {(WireFormat.GetTagFieldNumber(tag) == 1 ? "TypeMeta" : "Raw")}");
                default:
                    // contentEncoding and contentType are always empty from client-go: raw is the plain message.
                    input.SkipLastField();
                    break;
            }
        }
        return new ProtobufEnvelope(apiVersion, kind, raw);
    }

    private static (string ApiVersion, string Kind) ReadTypeMeta(CodedInputStream input)
    {
        string apiVersion = "", kind = "";
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag), WireFormat.GetTagWireType(tag))
            {
                case (1, WireFormat.WireType.LengthDelimited): apiVersion = input.ReadString(); break;
                case (2, WireFormat.WireType.LengthDelimited): kind = input.ReadString(); break;
                default: input.SkipLastField(); break;
            }
        }
        return (apiVersion, kind);
    }
}
