using Messenger.Host;
using Messenger.Host.Backup;
using Messenger.Host.Commands;
using Messenger.Kernel.Storage;

// Before anything rents from the shared array pool, which reads its size from the environment once, at first use.
SharedArrayPoolSize.Apply();

try
{
    switch (CommandLine.Parse(args))
    {
        case HostCommand.Backup(var target, var settings):
            return DataBackup.Run(target, MessengerApp.DataDirectory(settings), Console.Out, Console.Error);
        case HostCommand.ResetPassword(var username, var settings):
            return await AccountResetCommands.ResetPasswordAsync(username, settings, Console.Out, Console.Error);
        case HostCommand.ResetTwoFactor(var username, var settings):
            return await AccountResetCommands.ResetTwoFactorAsync(username, settings, Console.Out, Console.Error);
        case HostCommand.NewServerKey(var settings):
            return NewServerKeyCommand.Run(settings, Console.Out, Console.Error);
        case HostCommand.Compact(var settings):
            return CompactCommand.Run(settings, Console.Out, Console.Error);
        case HostCommand.Check(var full, var hashes, var settings):
            return CheckCommand.Run(full, hashes, settings, Console.Out, Console.Error);
        case HostCommand.Usage(var problem):
            return CommandLine.PrintUsage(problem, Console.Out, Console.Error);
    }
}
catch (StartupException e)
{
    // A command's configuration it cannot use (a blank Messenger:DataDirectory): one line, as a server's start says it.
    Console.Error.WriteLine($"Configuration error: {e.Message}");
    return 2;
}

var app = MessengerApp.Build(args);
try
{
    await app.StartMessengerAsync();
}
catch (StartupException e)
{
    foreach (var line in e.Message.Split(Environment.NewLine))
    {
        Console.Error.WriteLine($"Configuration error: {line}");
    }

    return 2;
}

// Ctrl-C and SIGTERM stop the web server first, then the storage writer drains what is queued.
await app.WaitForShutdownAsync();
return 0;
