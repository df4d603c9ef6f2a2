using System.Net;
using System.Text.Json.Nodes;
using FiBackup.Testing.KubeApi.Auth;
using FiBackup.Testing.KubeApi.Controllers;
using FiBackup.Testing.KubeApi.Faults;
using FiBackup.Testing.KubeApi.Json;
using FiBackup.Testing.KubeApi.OpenApi;
using FiBackup.Testing.KubeApi.Operations;
using FiBackup.Testing.KubeApi.Requests;
using FiBackup.Testing.KubeApi.Resources;
using FiBackup.Testing.KubeApi.Storage;
using FiBackup.Testing.KubeApi.Watch;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FiBackup.Testing.KubeApi;

/// <summary>
/// An in-process Kubernetes API server for tests: Kestrel on 127.0.0.1 (a free port, plain HTTP) speaking the
/// real REST protocol to KubernetesClient and kubectl, with CRDs, watches, tables and fault injection.
/// <code>
/// await using var api = await KubeApiServer.StartAsync();
/// var client = api.CreateClient();          // or: kubectl --kubeconfig api.KubeconfigPath ...
/// api.Faults.FailNextRequests(2, 500);
/// </code>
/// </summary>
public sealed class KubeApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping;
    private readonly Task _controllers;
    private readonly ITimer _bookmarks;
    private readonly string? _scratchDirectory;

    private KubeApiServer(WebApplication app, ApiContext api, FaultInjector faults, CancellationTokenSource stopping,
        Task controllers, ITimer bookmarks, Uri url, string kubeconfigPath, string? scratchDirectory)
    {
        _app = app;
        Context = api;
        Faults = faults;
        _stopping = stopping;
        _controllers = controllers;
        _bookmarks = bookmarks;
        Url = url;
        KubeconfigPath = kubeconfigPath;
        _scratchDirectory = scratchDirectory;
        CacheDirectory = Path.Combine(Path.GetDirectoryName(kubeconfigPath)!, "kubectl-cache");
    }

    /// <summary>The server's base URL, e.g. http://127.0.0.1:38411/.</summary>
    public Uri Url { get; }

    /// <summary>
    /// The HTTPS port (self-signed <see cref="ServingCertificate"/>): full authentication, so no token there is
    /// system:anonymous. Service account kubeconfigs use it, because kubectl sends tokens over HTTPS only.
    /// </summary>
    public required Uri SecureUrl { get; init; }

    /// <summary>A kubeconfig pointing at this server (context "fibackup-test", namespace "default").</summary>
    public string KubeconfigPath { get; }

    /// <summary>A kubectl cache directory private to this server (discovery and OpenAPI caches).</summary>
    public string CacheDirectory { get; }

    /// <summary>Failures, latency, dropped watches and expired resourceVersions on demand.</summary>
    public FaultInjector Faults { get; }

    /// <summary>The server's state, for white-box checks (objects, catalog, revision).</summary>
    public ApiContext Context { get; }

    /// <summary>The newest resourceVersion the server has handed out.</summary>
    public long ResourceVersion { get { lock (Context.Store.Gate) return Context.Store.Revision; } }

    /// <summary>How many watch streams are open right now.</summary>
    public int OpenWatches => Context.Store.Hub.Count;

    public static async Task<KubeApiServer> StartAsync(KubeApiServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new KubeApiServerOptions();
        var store = new ObjectStore(new ChangeHistory(options.HistoryWindow), new WatchHub());
        var rbac = new RbacAuthorizer(store);
        var catalog = new ResourceCatalog(BuiltInResources.All(() => options.Time.GetUtcNow(), new EscalationCheck(rbac)));
        var api = new ApiContext(store, catalog, options, rbac, new ServiceAccountTokens(options.Time));
        var faults = new FaultInjector(store);
        var stopping = new CancellationTokenSource();
        var router = new ApiRouter(api, faults, new OpenApiDocuments(catalog), stopping.Token);

        CreateInitialNamespaces(api, options.Namespaces);
        CreateDefaultRoles(api);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "FiBackup.KubeApi" });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, options.Port);
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(ServingCertificate.Instance));
            kestrel.Limits.MaxRequestBodySize = 3 * 1024 * 1024;
        });
        builder.Services.Configure<Microsoft.Extensions.Hosting.HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(2));
        var app = builder.Build();
        app.Run(router.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);

        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        var url = new Uri(addresses.First(a => a.StartsWith("http:", StringComparison.Ordinal)).Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/");
        var secureUrl = new Uri(addresses.First(a => a.StartsWith("https:", StringComparison.Ordinal)).Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/");

        string? scratch = null;
        var kubeconfigPath = options.KubeconfigPath;
        if (kubeconfigPath is null)
        {
            scratch = Directory.CreateTempSubdirectory("fibackup-kubeapi-").FullName;
            kubeconfigPath = Path.Combine(scratch, "kubeconfig");
        }
        Kubeconfig.Write(kubeconfigPath, url);

        var writer = new ObjectWriter(api);
        var loop = new ControllerLoop(api, new GarbageCollector(api, writer), new NamespaceCleanup(api, writer), new CrdCleanup(api, writer));
        var controllers = Task.Run(() => loop.RunAsync(stopping.Token));
        var bookmarks = options.Time.CreateTimer(_ =>
        {
            lock (store.Gate) store.Hub.SendBookmarks(store.Revision);
        }, null, options.BookmarkInterval, options.BookmarkInterval);

        return new KubeApiServer(app, api, faults, stopping, controllers, bookmarks, url, kubeconfigPath, scratch) { SecureUrl = secureUrl };
    }

    private static void CreateInitialNamespaces(ApiContext api, IEnumerable<string> names)
    {
        var writer = new ObjectWriter(api);
        lock (api.Store.Gate)
        {
            foreach (var name in names)
            {
                var ns = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = name } };
                writer.Create(api.NamespaceType, ns, dryRun: false);
            }
        }
    }

    /// <summary>The bootstrap RBAC objects kube-apiserver creates at start (discovery for all, cluster-admin for system:masters).</summary>
    private static void CreateDefaultRoles(ApiContext api)
    {
        var writer = new ObjectWriter(api);
        lock (api.Store.Gate)
        {
            foreach (var obj in DefaultRoles.All())
            {
                var gv = GroupVersion.FromApiVersion(obj.GetString("apiVersion")!);
                writer.Create(api.Catalog.FindKind(gv.Group, gv.Version, obj.GetString("kind")!)!, obj, dryRun: false);
            }
        }
    }

    /// <summary>The admin kubeconfig's bearer token: system:masters, never restricted.</summary>
    public static string AdminToken => Authenticator.AdminToken;

    /// <summary>
    /// A token for an existing ServiceAccount (as TokenRequest issues one, default lifetime one hour): it
    /// authenticates as system:serviceaccount:NS:NAME and stops working when the ServiceAccount is deleted.
    /// </summary>
    public string IssueToken(string ns, string serviceAccount, TimeSpan? lifetime = null)
    {
        string? uid;
        lock (Context.Store.Gate) uid = Context.Store.Get(new("", "serviceaccounts"), ns, serviceAccount)?.Uid();
        if (uid is null) throw new InvalidOperationException($"serviceaccount \"{serviceAccount}\" not found in namespace \"{ns}\"; create it before issuing a token");
        return Context.Tokens.Issue(ns, serviceAccount, uid, lifetime ?? ServiceAccountTokens.DefaultLifetime, [ServiceAccountTokens.Issuer], out _);
    }

    /// <summary>Writes a kubeconfig next to the admin one that uses a fresh token of the ServiceAccount (default namespace NS).</summary>
    public string WriteKubeconfigFor(string ns, string serviceAccount)
    {
        var path = Path.Combine(Path.GetDirectoryName(KubeconfigPath)!, $"kubeconfig-{ns}-{serviceAccount}");
        Kubeconfig.Write(path, SecureUrl, IssueToken(ns, serviceAccount), ns, ServingCertificate.AuthorityData);
        return path;
    }

    /// <summary>A KubernetesClient authenticated as the ServiceAccount.</summary>
    public Kubernetes CreateClientFor(string ns, string serviceAccount) =>
        new(KubernetesClientConfiguration.BuildConfigFromConfigFile(WriteKubeconfigFor(ns, serviceAccount)));

    /// <summary>kubectl with another kubeconfig (e.g. one from <see cref="WriteKubeconfigFor"/>), sharing this server's cache.</summary>
    public Kubectl KubectlWith(string kubeconfigPath) => new(this, kubeconfigPath);

    /// <summary>A raw HTTP client sending the admin token.</summary>
    public HttpClient CreateHttpClient()
    {
        var http = new HttpClient { BaseAddress = Url };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminToken);
        return http;
    }

    /// <summary>A KubernetesClient talking to this server through the kubeconfig it wrote.</summary>
    public Kubernetes CreateClient() => new(KubernetesClientConfiguration.BuildConfigFromConfigFile(KubeconfigPath));

    /// <summary>Runs kubectl against this server (its kubeconfig and a private cache directory).</summary>
    public Kubectl Kubectl => new(this);

    /// <summary>Creates every object of a YAML file (CRDs, namespaces, custom resources) as kubectl create would.</summary>
    public async Task<IReadOnlyList<JsonObject>> CreateFromYamlAsync(string yaml, CancellationToken cancellationToken = default)
    {
        using var http = CreateHttpClient();
        var created = new List<JsonObject>();
        foreach (var document in YamlToJson.ParseAll(yaml).OfType<JsonObject>())
        {
            var apiVersion = document.GetString("apiVersion") ?? "";
            var gv = GroupVersion.FromApiVersion(apiVersion);
            var type = Context.Catalog.FindKind(gv.Group, gv.Version, document.GetString("kind") ?? "")
                ?? throw new InvalidOperationException($"no resource serves {apiVersion} {document.GetString("kind")}");
            var ns = type.Namespaced ? document.Namespace() ?? "default" : null;
            var path = type.Namespaced ? $"{gv.PathPrefix}/namespaces/{ns}/{type.Plural}" : $"{gv.PathPrefix}/{type.Plural}";
            using var content = new StringContent(JsonText.Serialize(document), System.Text.Encoding.UTF8, "application/json");
            using var response = await http.PostAsync(path.TrimStart('/'), content, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"creating {type.Kind} failed: {(int)response.StatusCode} {body}");
            created.Add((JsonObject)JsonText.Parse(body)!);
        }
        return created;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _bookmarks.DisposeAsync().ConfigureAwait(false);
        Context.Store.Hub.DropAll();
        try
        {
            await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            await _app.DisposeAsync().ConfigureAwait(false);
            await _controllers.ConfigureAwait(false);
            _stopping.Dispose();
            if (_scratchDirectory is not null)
            {
                try { Directory.Delete(_scratchDirectory, recursive: true); } catch (IOException) { }
            }
        }
    }
}
