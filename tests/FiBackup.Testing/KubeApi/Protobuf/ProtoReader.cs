using System.Globalization;
using System.Text.Json.Nodes;
using Google.Protobuf;

namespace FiBackup.Testing.KubeApi.Protobuf;

/// <summary>
/// Reads a protobuf message into the JSON Go's encoding/json would print for the same struct, guided by a
/// <see cref="ProtoMessage"/> table. Unknown fields are skipped (proto2 rules); a repeated scalar field keeps
/// its last value.
/// </summary>
public static class ProtoReader
{
    public static JsonObject Read(ByteString data, ProtoMessage message)
    {
        try
        {
            return ReadMessage(data.CreateCodedInput(), message);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw ProtoDecodeException.From(e);
        }
    }

    private static JsonObject ReadMessage(CodedInputStream input, ProtoMessage message)
    {
        var obj = new JsonObject();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var field = message.Field(WireFormat.GetTagFieldNumber(tag));
            if (field is null)
            {
                input.SkipLastField();
                continue;
            }
            var wireType = WireFormat.GetTagWireType(tag);
            if (wireType != ExpectedWireType(field.Kind))
                throw new ProtoDecodeException($"proto: wrong wireType = {(int)wireType} for field {GoName(field.Name)}");
            ReadField(input, field, obj);
        }
        return obj;
    }

    private static void ReadField(CodedInputStream input, ProtoField field, JsonObject obj)
    {
        switch (field.Kind)
        {
            case ProtoKind.String:
                SetOrOmit(obj, field.Name, input.ReadString() is { Length: > 0 } text ? text : null);
                break;
            case ProtoKind.Bool:
                SetOrOmit(obj, field.Name, input.ReadBool() ? true : null);
                break;
            case ProtoKind.OptionalBool:
                obj[field.Name] = input.ReadBool();
                break;
            // int32 values are sign-extended to 64-bit varints on the wire, so one reader serves both widths.
            case ProtoKind.Int:
                SetOrOmit(obj, field.Name, input.ReadInt64() is not 0 and var number ? number : null);
                break;
            case ProtoKind.OptionalInt:
                obj[field.Name] = input.ReadInt64();
                break;
            case ProtoKind.Time:
                SetOrOmit(obj, field.Name, ReadTime(input.ReadBytes()));
                break;
            case ProtoKind.Message:
                obj[field.Name] = ReadMessage(input.ReadBytes().CreateCodedInput(), field.Message!);
                break;
            case ProtoKind.StringList:
                ListOf(obj, field.Name).Add(input.ReadString());
                break;
            case ProtoKind.MessageList:
                ListOf(obj, field.Name).Add(ReadMessage(input.ReadBytes().CreateCodedInput(), field.Message!));
                break;
            case ProtoKind.StringMap or ProtoKind.BytesMap or ProtoKind.QuantityMap:
                var (key, value) = ReadMapEntry(input.ReadBytes(), field.Kind);
                MapOf(obj, field.Name)[key] = value;
                break;
        }
    }

    private static WireFormat.WireType ExpectedWireType(ProtoKind kind) =>
        kind is ProtoKind.Bool or ProtoKind.OptionalBool or ProtoKind.Int or ProtoKind.OptionalInt
            ? WireFormat.WireType.Varint
            : WireFormat.WireType.LengthDelimited;

    /// <summary>A map entry is a message {key = 1, value = 2}; either may be absent (then empty).</summary>
    private static (string Key, JsonNode Value) ReadMapEntry(ByteString entry, ProtoKind kind)
    {
        var input = entry.CreateCodedInput();
        var key = "";
        JsonNode value = kind == ProtoKind.QuantityMap ? "0" : "";
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag), WireFormat.GetTagWireType(tag))
            {
                case (1, WireFormat.WireType.LengthDelimited):
                    key = input.ReadString();
                    break;
                case (2, WireFormat.WireType.LengthDelimited):
                    value = kind switch
                    {
                        ProtoKind.StringMap => input.ReadString(),
                        // Go's []byte marshals as standard base64, the form stored in Secret data.
                        ProtoKind.BytesMap => input.ReadBytes().ToBase64(),
                        _ => ReadQuantity(input.ReadBytes()),
                    };
                    break;
                case (1 or 2, var wireType):
                    throw new ProtoDecodeException($"proto: wrong wireType = {(int)wireType} for field {(WireFormat.GetTagFieldNumber(tag) == 1 ? "key" : "value")}");
                default:
                    input.SkipLastField();
                    break;
            }
        }
        return (key, value);
    }

    /// <summary>metav1.Time: {seconds = 1, nanos = 2}; JSON keeps whole seconds in UTC, as metav1.Time does.</summary>
    private static string? ReadTime(ByteString data)
    {
        if (data.IsEmpty) return null;
        var input = data.CreateCodedInput();
        long seconds = 0;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 1 && WireFormat.GetTagWireType(tag) == WireFormat.WireType.Varint)
                seconds = input.ReadInt64();
            else
                input.SkipLastField();
        }
        if (seconds < -62135596800 || seconds > 253402300799)
            throw new ProtoDecodeException($"proto: Time seconds {seconds} out of range");
        return DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
    }

    /// <summary>resource.Quantity: {string = 1}, the canonical text ("1Gi", "500m").</summary>
    private static string ReadQuantity(ByteString data)
    {
        var input = data.CreateCodedInput();
        var text = "0";
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 1 && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
                text = input.ReadString();
            else
                input.SkipLastField();
        }
        return text;
    }

    private static void SetOrOmit(JsonObject obj, string name, JsonNode? value)
    {
        if (value is null) obj.Remove(name);
        else obj[name] = value;
    }

    private static JsonArray ListOf(JsonObject obj, string name) =>
        obj[name] as JsonArray ?? (JsonArray)(obj[name] = new JsonArray());

    private static JsonObject MapOf(JsonObject obj, string name) =>
        obj[name] as JsonObject ?? (JsonObject)(obj[name] = new JsonObject());

    private static string GoName(string jsonName) => char.ToUpperInvariant(jsonName[0]) + jsonName[1..];
}
