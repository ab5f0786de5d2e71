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

    public sealed record Compact(string[] Settings) : HostCommand;

    /// <summary><c>check</c>: <paramref name="Full"/> for <c>--full</c>, <paramref name="Hashes"/> for <c>--hashes</c>.</summary>
    public sealed record Check(bool Full, bool Hashes, string[] Settings) : HostCommand;

    /// <summary>The usage text, asked for (<paramref name="Problem"/> null: exit 0) or after a mistake (exit 2).</summary>
    public sealed record Usage(string? Problem) : HostCommand;
}

/// <summary>
/// A command word (<c>backup</c>, <c>reset-password</c>, …) anywhere among the arguments, its operand right after it,
/// and configuration around it; no command word: the server. Configuration is ASP.NET Core's: <c>--Key=value</c>,
/// <c>--Key value</c>, <c>/Key=value</c>, <c>/Key value</c> or <c>Key=value</c>, read as its command-line provider reads
/// it (the word after <c>--Key</c> is that key's value, never a command). Any other word would be ignored by the
/// configuration and start a full server on the default address and data directory, beside the one a command was
/// meant for: a misspelt command (<c>bakup</c>), one without its operand, or a stray word prints the usage instead.
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
          Messenger.Host compact [--Key=value …]                     give back the space the database no longer uses (server stopped)
          Messenger.Host check [--full] [--hashes] [--Key=value …]   check that the data directory is whole (server stopped)
        Configuration keys (README, Configuration) as --Key=value, --Key value or Key=value, before or after the command, e.g.
          --Messenger:DataDirectory=/var/lib/messenger --Messenger:Urls=http://127.0.0.1:5000
        """;

    private static readonly string[] HelpWords = ["help", "-h", "--help", "-?", "/?"];

    private static readonly string[] Commands = ["backup", "reset-password", "reset-two-factor", "new-server-key", "compact", "check"];

    // check's own options: never configuration keys (`--full` would otherwise take the next word as its value).
    private static readonly string[] CheckOptions = ["--full", "--hashes"];

    public static HostCommand Parse(string[] args)
    {
        string? command = null;
        string? operand = null;
        var settings = new List<string>();
        var options = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            var argument = args[i];
            if (HelpWords.Contains(argument))
            {
                return new HostCommand.Usage(null);
            }

            if (CheckOptions.Contains(argument))
            {
                options.Add(argument);
                continue;
            }

            if (argument.Length == 0 || argument.StartsWith("--", StringComparison.Ordinal) || argument.StartsWith('/') || argument.Contains('='))
            {
                settings.Add(argument);
                if (TakesTheNextAsItsValue(argument) && i + 1 < args.Length)
                {
                    settings.Add(args[++i]);
                }

                continue;
            }

            if (argument.StartsWith('-'))
            {
                // ASP.NET Core ignores -Key (and fails on -Key=value): a single dash is no setting of ours.
                return new HostCommand.Usage($"'{argument}' is not a setting: settings are --Key=value, --Key value or Key=value");
            }

            if (!Commands.Contains(argument))
            {
                return new HostCommand.Usage($"'{argument}' is not a command");
            }

            if (command is not null)
            {
                return new HostCommand.Usage($"'{argument}' after '{command}': one command at a time");
            }

            command = argument;
            if (command is not ("new-server-key" or "compact" or "check") && i + 1 < args.Length && IsOperand(args[i + 1]))
            {
                operand = args[++i];
            }
        }

        if (options.Count > 0 && command != "check")
        {
            return new HostCommand.Usage($"'{options.First()}' is an option of check");
        }

        return (command, operand) switch
        {
            (null, _) => new HostCommand.Serve(),
            ("backup", { } target) => new HostCommand.Backup(target, [.. settings]),
            ("backup", null) => new HostCommand.Usage("backup needs the directory to back up into"),
            ("reset-password", { } username) => new HostCommand.ResetPassword(username, [.. settings]),
            ("reset-password", null) => new HostCommand.Usage("reset-password needs the account's username"),
            ("reset-two-factor", { } username) => new HostCommand.ResetTwoFactor(username, [.. settings]),
            ("reset-two-factor", null) => new HostCommand.Usage("reset-two-factor needs the account's username"),
            ("compact", _) => new HostCommand.Compact([.. settings]),
            ("check", _) => new HostCommand.Check(options.Contains("--full"), options.Contains("--hashes"), [.. settings]),
            _ => new HostCommand.NewServerKey([.. settings]),
        };
    }

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

    // `--Key value` and `/Key value`, as ASP.NET Core's command-line configuration reads them: the next argument is the
    // value, whatever it is (`--Messenger:DataDirectory backup` names a directory `backup`).
    private static bool TakesTheNextAsItsValue(string argument) =>
        (argument.StartsWith("--", StringComparison.Ordinal) || argument.StartsWith('/')) && !argument.Contains('=');

    // `backup --Messenger:DataDirectory=/x` names no directory: its first operand is configuration. A path may hold
    // an `=` (/backups/date=2026-12-05) or start with `/`: right after the command word it is the operand.
    private static bool IsOperand(string argument) => argument.Length > 0 && !argument.StartsWith('-');
}
