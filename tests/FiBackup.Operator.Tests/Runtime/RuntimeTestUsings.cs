global using FiBackup.Operator.Runtime;
global using FiBackup.Testing.KubeApi;
global using k8s;
global using k8s.Models;
