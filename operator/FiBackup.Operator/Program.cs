using FiBackup.Operator.Cli;

return await FibackupCommandLine.RunAsync(args);
