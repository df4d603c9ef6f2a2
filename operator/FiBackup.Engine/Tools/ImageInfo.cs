using System.Text.Json.Serialization;

namespace FiBackup.Engine.Tools;

/// <summary>What `qemu-img info --output=json` says about one image.</summary>
public sealed record ImageInfo
{
    [JsonPropertyName("filename")] public string FileName { get; init; } = "";
    [JsonPropertyName("format")] public string Format { get; init; } = "";
    [JsonPropertyName("virtual-size")] public long VirtualSize { get; init; }
    [JsonPropertyName("actual-size")] public long ActualSize { get; init; }
    [JsonPropertyName("cluster-size")] public long? ClusterSize { get; init; }
    /// <summary>The backing file name exactly as written in the image header (may be relative).</summary>
    [JsonPropertyName("backing-filename")] public string? BackingFileName { get; init; }
    /// <summary>The backing file resolved to an absolute path by qemu-img.</summary>
    [JsonPropertyName("full-backing-filename")] public string? FullBackingFileName { get; init; }
    [JsonPropertyName("backing-filename-format")] public string? BackingFormat { get; init; }
    [JsonPropertyName("dirty-flag")] public bool DirtyFlag { get; init; }
    [JsonPropertyName("format-specific")] public FormatSpecificInfo? FormatSpecific { get; init; }

    /// <summary>The external data file of a qcow2 image (created with -o data_file=...), which holds its guest data.</summary>
    public string? DataFile => FormatSpecific?.Data?.DataFile;
}

/// <summary>The "format-specific" part of `qemu-img info`; only what fibackup reads.</summary>
public sealed record FormatSpecificInfo
{
    [JsonPropertyName("type")] public string? Type { get; init; }
    [JsonPropertyName("data")] public FormatSpecificData? Data { get; init; }
}

public sealed record FormatSpecificData
{
    [JsonPropertyName("data-file")] public string? DataFile { get; init; }
}
