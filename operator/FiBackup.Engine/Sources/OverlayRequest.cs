namespace FiBackup.Engine.Sources;

/// <summary>The overlay a snapshot puts on top of one disk.</summary>
public sealed record OverlayRequest(string Target, string OverlayPath);
