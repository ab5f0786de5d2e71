using Messenger.Host;
using Messenger.Host.Backup;
using Messenger.Host.Commands;
using Messenger.Kernel.Storage;

// Before anything rents from the shared array pool, which reads its size from the environment once, at first use.
SharedArrayPoolSize.Apply();

if (args is ["backup", var target, .. var rest])
{
    return DataBackup.Run(target, DataBackup.DataDirectory(rest), Console.Out, Console.Error);
}

if (args is ["reset-password", var username, .. var settings])
{
    return await AccountResetCommands.ResetPasswordAsync(username, settings, Console.Out, Console.Error);
}

if (args is ["reset-two-factor", var lockedOut, .. var options])
{
    return await AccountResetCommands.ResetTwoFactorAsync(lockedOut, options, Console.Out, Console.Error);
}

if (args is ["new-server-key", .. var keyArgs])
{
    return NewServerKeyCommand.Run(keyArgs, Console.Out, Console.Error);
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
