using System.Text;
using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi.Errors;
using FiBackup.Testing.KubeApi.Resources;

namespace FiBackup.Testing.KubeApi.Protobuf;

/// <summary>
/// Request bodies in application/vnd.kubernetes.protobuf, which client-go's typed clients (and so kubectl's
/// generator commands: create namespace/secret/configmap/serviceaccount/job) send for built-in kinds. They
/// become the JSON a client would have sent, so IncomingObject's checks, defaults and kind rules apply as usual.
/// Custom resources have no protobuf form, as upstream.
/// </summary>
public static class ProtobufBodies
{
    private static readonly Dictionary<(string ApiVersion, string Kind), ProtoMessage> Messages = new()
    {
        [("v1", "Namespace")] = CoreV1Messages.Namespace,
        [("v1", "Secret")] = CoreV1Messages.Secret,
        [("v1", "ConfigMap")] = CoreV1Messages.ConfigMap,
        [("v1", "ServiceAccount")] = CoreV1Messages.ServiceAccount,
        [("v1", "Pod")] = CoreV1Messages.Pod,
        [("v1", "PersistentVolumeClaim")] = CoreV1Messages.PersistentVolumeClaim,
        [("batch/v1", "Job")] = BatchV1Messages.Job,
        [("authentication.k8s.io/v1", "TokenRequest")] = AccessMessages.TokenRequest,
        [("authentication.k8s.io/v1", "SelfSubjectReview")] = AccessMessages.SelfSubjectReview,
        [("authorization.k8s.io/v1", "SelfSubjectAccessReview")] = AccessMessages.SelfSubjectAccessReview,
        [("authorization.k8s.io/v1", "SelfSubjectRulesReview")] = AccessMessages.SelfSubjectRulesReview,
    };

    public static bool Accepts(ResourceType type) => !type.IsCustom && Messages.ContainsKey((type.ApiVersion, type.Kind));

    /// <summary>Decodes a body for the endpoint of <paramref name="type"/>; malformed bodies are 400s worded as upstream's.</summary>
    public static JsonObject Decode(ResourceType type, byte[] body)
    {
        ProtobufEnvelope envelope;
        try
        {
            envelope = ProtobufEnvelope.Open(body);
        }
        catch (ProtoDecodeException e)
        {
            // apiserver's transformDecodeError when the decoder could not even name a kind.
            throw ApiErrors.BadRequest($"the object provided is unrecognized (must be of type {type.Kind}): {e.Message} ({Summarize(body)})");
        }

        // The serializer defaults a missing apiVersion/kind to the endpoint's.
        var apiVersion = envelope.ApiVersion.Length > 0 ? envelope.ApiVersion : type.ApiVersion;
        var kind = envelope.Kind.Length > 0 ? envelope.Kind : type.Kind;
        var version = apiVersion.Contains('/') ? apiVersion[(apiVersion.IndexOf('/') + 1)..] : apiVersion;
        var cannotHandle = $"{kind} in version \"{version}\" cannot be handled as a {type.Kind}";
        if (!Messages.TryGetValue((apiVersion, kind), out var message))
            throw ApiErrors.BadRequest($"{cannotHandle}: no kind \"{kind}\" is registered for version \"{apiVersion}\"");

        JsonObject decoded;
        try
        {
            decoded = ProtoReader.Read(envelope.Raw, message);
        }
        catch (ProtoDecodeException e)
        {
            throw ApiErrors.BadRequest($"{cannotHandle}: {e.Message}");
        }

        // apiVersion and kind first, as Go prints them; IncomingObject then checks them against the endpoint.
        var obj = new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind };
        foreach (var (name, value) in decoded.ToList())
        {
            decoded.Remove(name);
            obj[name] = value;
        }
        return obj;
    }

    /// <summary>A DELETE's DeleteOptions body; a malformed one is a 400 as upstream's.</summary>
    public static JsonObject DecodeDeleteOptions(byte[] body)
    {
        try
        {
            var envelope = ProtobufEnvelope.Open(body);
            var decoded = ProtoReader.Read(envelope.Raw, MetaV1Messages.DeleteOptions);
            decoded["kind"] = "DeleteOptions";
            return decoded;
        }
        catch (ProtoDecodeException e)
        {
            throw ApiErrors.BadRequest($"the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf ({e.Message})");
        }
    }

    /// <summary>apiserver's summarizeData: the first 30 bytes of the body as text.</summary>
    private static string Summarize(byte[] body) =>
        body.Length > 30 ? Encoding.UTF8.GetString(body, 0, 30) + " ..." : Encoding.UTF8.GetString(body);
}
