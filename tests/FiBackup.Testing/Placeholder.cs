namespace FiBackup.Testing;
