namespace FiBackup.Testing.KubeApi.Protobuf;

/// <summary>How a field is written on the wire and how its value appears in the JSON the server stores.</summary>
public enum ProtoKind
{
    /// <summary>A Go string (gogo writes it even when empty; JSON omits it then, as omitempty does).</summary>
    String,
    /// <summary>A Go bool written always; false is omitted, as omitempty does.</summary>
    Bool,
    /// <summary>A Go *bool: on the wire only when set, so false is kept.</summary>
    OptionalBool,
    /// <summary>A Go int32/int64 written always; 0 is omitted.</summary>
    Int,
    /// <summary>A Go *int32/*int64: on the wire only when set, so 0 is kept.</summary>
    OptionalInt,
    /// <summary>metav1.Time {seconds = 1, nanos = 2}; an empty message is the zero time (JSON null, omitted).</summary>
    Time,
    /// <summary>A nested message described by <see cref="ProtoField.Message"/>; an empty one is kept as {}.</summary>
    Message,
    StringList,
    MessageList,
    /// <summary>map&lt;string, string&gt;: repeated entries {key = 1, value = 2}.</summary>
    StringMap,
    /// <summary>map&lt;string, bytes&gt;: values become base64 strings, as Go's []byte does in JSON.</summary>
    BytesMap,
    /// <summary>map&lt;string, resource.Quantity&gt; (limits, requests); a Quantity is {string = 1}, a string in JSON.</summary>
    QuantityMap,
}

/// <summary>One field of a Kubernetes generated.proto message: its number, its JSON name and its kind.</summary>
public sealed record ProtoField(int Number, string Name, ProtoKind Kind, ProtoMessage? Message = null)
{
    public static ProtoField String(int number, string name) => new(number, name, ProtoKind.String);
    public static ProtoField Bool(int number, string name) => new(number, name, ProtoKind.Bool);
    public static ProtoField OptionalBool(int number, string name) => new(number, name, ProtoKind.OptionalBool);
    public static ProtoField Int(int number, string name) => new(number, name, ProtoKind.Int);
    public static ProtoField OptionalInt(int number, string name) => new(number, name, ProtoKind.OptionalInt);
    public static ProtoField Time(int number, string name) => new(number, name, ProtoKind.Time);
    public static ProtoField Of(int number, string name, ProtoMessage message) => new(number, name, ProtoKind.Message, message);
    public static ProtoField Strings(int number, string name) => new(number, name, ProtoKind.StringList);
    public static ProtoField ListOf(int number, string name, ProtoMessage message) => new(number, name, ProtoKind.MessageList, message);
    public static ProtoField StringMap(int number, string name) => new(number, name, ProtoKind.StringMap);
    public static ProtoField BytesMap(int number, string name) => new(number, name, ProtoKind.BytesMap);
    public static ProtoField QuantityMap(int number, string name) => new(number, name, ProtoKind.QuantityMap);
}

/// <summary>
/// A message as far as this server decodes it. Fields not listed are skipped, as an older kube-apiserver
/// skips fields it does not know; the tables list what kubectl's generators and typed clients send.
/// </summary>
public sealed class ProtoMessage(string name, IReadOnlyList<ProtoField> fields)
{
    private readonly Dictionary<int, ProtoField> _byNumber = fields.ToDictionary(f => f.Number);

    /// <summary>The Go type name, used in wire errors as gogo's generated code does.</summary>
    public string Name { get; } = name;

    public ProtoField? Field(int number) => _byNumber.GetValueOrDefault(number);
}
