namespace Messenger.Host.Commands;

/// <summary>What the command line asks for: <see cref="Serve"/> (the server), a command with its operand and the
/// configuration after it, or <see cref="Usage"/>.</summary>
internal abstract record HostCommand
{
    public sealed record Serve : HostCommand;

    public sealed record Backup(string Target, string[] Settings) : HostCommand;

    public sealed record ResetPassword(string Username, string[] Settings) : HostCommand;

    public sealed record ResetTwoFactor(string Username, string[] Settings) : HostCommand;

    public sealed record NewServerKey(string[] Settings) : HostCommand;

    /// <summary>The usage text, asked for (<paramref name="Problem"/> null: exit 0) or after a mistake (exit 2).</summary>
    public sealed record Usage(string? Problem) : HostCommand;
}

/// <summary>
/// The first argument is a command or configuration. Configuration is ASP.NET Core's: <c>--Key=value</c>,
/// <c>--Key value</c>, <c>/Key=value</c> or <c>Key=value</c> (so a first argument with <c>=</c> is configuration, not a
/// command). Anything else would be ignored by the configuration and start a full server on the default address and
/// data directory: a misspelt command (<c>bakup</c>), or one without its operand, prints the usage instead.
/// </summary>
internal static class CommandLine
{
    public const string UsageText = """
        Usage:
          Messenger.Host [--Key=value …]                             run the server
          Messenger.Host backup <directory> [--Key=value …]          back the data directory up into a new or empty directory
          Messenger.Host reset-password <username> [--Key=value …]   give an account a temporary password
          Messenger.Host reset-two-factor <username> [--Key=value …] turn an account's two-step verification off
          Messenger.Host new-server-key [--Key=value …]              make a new server key when server.key is lost with no copy
        Configuration keys (README, Configuration) as --Key=value, --Key value or Key=value, e.g.
          --Messenger:DataDirectory=/var/lib/messenger --Messenger:Urls=http://0.0.0.0:5000
        """;

    public static HostCommand Parse(string[] args) => args switch
    {
        [] or ["", ..] => new HostCommand.Serve(),
        ["help" or "-h" or "--help" or "-?" or "/?", ..] => new HostCommand.Usage(null),
        [var first, ..] when first.StartsWith('-') || first.StartsWith('/') || first.Contains('=') => new HostCommand.Serve(),
        ["backup", var target, .. var settings] when IsOperand(target) => new HostCommand.Backup(target, settings),
        ["backup", ..] => new HostCommand.Usage("backup needs the directory to back up into"),
        ["reset-password", var username, .. var settings] when IsOperand(username) => new HostCommand.ResetPassword(username, settings),
        ["reset-password", ..] => new HostCommand.Usage("reset-password needs the account's username"),
        ["reset-two-factor", var username, .. var settings] when IsOperand(username) => new HostCommand.ResetTwoFactor(username, settings),
        ["reset-two-factor", ..] => new HostCommand.Usage("reset-two-factor needs the account's username"),
        ["new-server-key", .. var settings] => new HostCommand.NewServerKey(settings),
        [var unknown, ..] => new HostCommand.Usage($"'{unknown}' is not a command"),
    };

    /// <summary>Prints the usage (after the problem, on standard error, if any): 0 when asked for, 2 after a mistake.</summary>
    public static int PrintUsage(string? problem, TextWriter output, TextWriter error)
    {
        if (problem is null)
        {
            output.WriteLine(UsageText);
            return 0;
        }

        error.WriteLine($"Messenger.Host: {problem}.");
        error.WriteLine(UsageText);
        return 2;
    }

    // `backup --Messenger:DataDirectory=/x` names no directory: its first operand is configuration. A path may hold
    // an `=` (/backups/date=2026-12-05); a bare Key=value there is taken as the directory's name.
    private static bool IsOperand(string argument) => argument.Length > 0 && !argument.StartsWith('-');
}
