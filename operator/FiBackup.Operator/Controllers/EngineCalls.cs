using FiBackup.Engine.Errors;
using FiBackup.Operator.Movers;

namespace FiBackup.Operator.Controllers;

/// <summary>Engine calls whose failures become <see cref="OperatorProblem"/>s naming the spec field.</summary>
public static class EngineCalls
{
    public static async Task<SourceInventory> ListDomainsAsync(IBackupEngine engine, SourceConnection source, string uriField, CancellationToken ct)
    {
        try
        {
            return await engine.ListDomainsAsync(source, ct);
        }
        catch (FibackupException e)
        {
            throw new OperatorProblem(e.Reason, $"{uriField}: {e.Message}", e.Retryable);
        }
    }

    /// <summary>
    /// The condition message for an engine failure: the spec field the engine's logical field maps
    /// to, then the engine's sentence (which names the domain, disk or file).
    /// </summary>
    public static string Describe(FibackupException e, IReadOnlyDictionary<string, string> fields) =>
        e.Field is { } field && fields.TryGetValue(field, out var specField) ? $"{specField}: {e.Message}" : e.Message;

    /// <summary>
    /// The reason, message and retryability of a failed engine call, the same in the operator and in
    /// a Job's mover: the engine's own for a FibackupException, InternalError (retried) otherwise.
    /// </summary>
    public static EngineFailure Failure(Exception e, IReadOnlyDictionary<string, string> fields, string what) => e switch
    {
        FibackupException f => new EngineFailure(f.Reason, Describe(f, fields), f.Retryable),
        OperatorProblem p => new EngineFailure(p.Reason, p.Message, p.Retryable),
        _ => new EngineFailure("InternalError", $"{what} failed: {e.Message}", true),
    };
}

public sealed record EngineFailure(string Reason, string Message, bool Retryable);
