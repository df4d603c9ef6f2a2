using DotNet.Testcontainers.Configurations;

namespace FiBackup.E2E.Tests;

/// <summary>
/// Whether a Docker engine answers where Testcontainers itself will start the k3s container: its own
/// discovery (~/.testcontainers.properties, $DOCKER_HOST with its TLS settings, the default unix socket,
/// Docker Desktop's and rootless sockets), each candidate pinged (`GET /_ping`). Asking Testcontainers
/// rather than probing by hand keeps "skipped" and "run" in agreement with where the container goes.
/// </summary>
public static class DockerEngine
{
    /// <summary>Null when an engine answers; else the tests' skip reason, saying where it was looked for.</summary>
    public static string? Missing() =>
        TestcontainersSettings.OS.DockerEndpointAuthConfig is not null
            ? null
            : "no Docker engine answers where Testcontainers looks for one (~/.testcontainers.properties, "
              + (Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } host ? $"DOCKER_HOST={host}" : "DOCKER_HOST unset")
              + ", unix:///var/run/docker.sock, rootless sockets): the k3s suite needs one";
}
