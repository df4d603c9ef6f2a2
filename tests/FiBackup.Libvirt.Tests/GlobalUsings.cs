global using FiBackup.Libvirt;
global using FiBackup.Testing.Libvirt;
global using Xunit;
