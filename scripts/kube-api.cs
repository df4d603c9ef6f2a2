#:project ../tests/FiBackup.Testing/FiBackup.Testing.csproj
#:property PublishAot=false
#:property TieredPGO=false
// Entry point of scripts/kube-api.sh (a .NET file-based program): the local Kubernetes API server, standalone.
return await FiBackup.Testing.KubeApi.StandaloneHost.RunAsync(args);
