using Messenger.Kernel.Configuration;
using Microsoft.Extensions.Options;

namespace Messenger.Session;

internal enum RegistrationMode
{
    Open,
    InviteOnly,
    Closed,
}

/// <summary>The <c>Messenger:Session</c> section: registration, password hashing, brute-force limits and the size of
/// contact lists.</summary>
internal sealed class SessionOptions
{
    public const string Section = "Messenger:Session";

    /// <summary>Open, InviteOnly or Closed. The first account may always register (it becomes the admin).</summary>
    /// <remarks>A string, not the enum: a typo must become a validation line, not a binder exception.</remarks>
    public string RegistrationMode { get; set; } = nameof(Session.RegistrationMode.Open);

    public RegistrationMode Mode => Enum.Parse<RegistrationMode>(RegistrationMode, ignoreCase: true);

    public PasswordHashOptions PasswordHash { get; set; } = new();

    /// <summary>Failed sign-ins per account in <see cref="FailureWindowSeconds"/> before FLOOD_WAIT; checks being hashed
    /// count too.</summary>
    public int SignInFailuresPerAccount { get; set; } = 5;

    /// <summary>Failed sign-ins per client address in <see cref="FailureWindowSeconds"/> before FLOOD_WAIT; checks being
    /// hashed count too.</summary>
    public int SignInFailuresPerAddress { get; set; } = 20;

    public int FailureWindowSeconds { get; set; } = 60;

    /// <summary>Days after its last sign-in by password that a device stays known to the account: its failures count on a
    /// key of its own, so others' failures at the account do not lock it out (Limits.KnownDevices); 0: no device is.</summary>
    public int KnownDeviceDays { get; set; } = 90;

    /// <summary>The first wait after the limit is hit; each further lockout doubles it, up to <see cref="MaxLockoutSeconds"/>.</summary>
    public int LockoutSeconds { get; set; } = 60;

    public int MaxLockoutSeconds { get; set; } = 3600;

    /// <summary>Registration attempts (refused ones too) per client address per <see cref="RegistrationWindowSeconds"/>.</summary>
    public int RegistrationsPerAddress { get; set; } = 10;

    public int RegistrationWindowSeconds { get; set; } = 3600;

    /// <summary>How long a temporary password an admin set (admin.resetPassword, the reset-password command) signs in;
    /// after that it is refused with PASSWORD_EXPIRED and the user asks an admin again.</summary>
    public int TemporaryPasswordHours { get; set; } = 72;

    /// <summary>How long an exported login token can be accepted.</summary>
    public int LoginTokenLifetimeSeconds { get; set; } = 60;

    /// <summary>How often the devices' "last active" times are written (they are kept in memory in between).</summary>
    public int LastActiveFlushSeconds { get; set; } = 60;

    /// <summary>How often devices unused for longer than their account allows are looked for and signed out.</summary>
    public int UnusedDevicesCheckMinutes { get; set; } = 60;

    /// <summary>Device-key → authorization lookups kept in memory.</summary>
    public int AuthorizationCacheEntries { get; set; } = 100_000;

    /// <summary>People a user may have in their contact list (<c>CONTACTS_TOO_MANY</c> beyond).</summary>
    public int MaxContacts { get; set; } = Contracts.Contacts.ContactLimits.DefaultMaxContacts;

    /// <summary>
    /// Times per hour one user's adding or deleting of one person may flip that person's mutual flag (each flip is an
    /// entry in the other person's log, pushed to their devices); past <see cref="MutualFlipBurst"/> such an add or
    /// delete answers 420 <c>FLOOD_WAIT</c>. Changes the other does not see (a rename, a contact who does not have the
    /// caller) are not counted. 0: no limit.
    /// </summary>
    public int MutualFlipsPerHour { get; set; } = 30;

    /// <summary>Flips of one person's mutual flag one user may make at once before <see cref="MutualFlipsPerHour"/> applies.</summary>
    public int MutualFlipBurst { get; set; } = 10;
}

/// <summary>The <c>Messenger:Session:PasswordHash</c> section: Argon2id cost and how many hashes run at once.</summary>
internal sealed class PasswordHashOptions
{
    /// <summary>Argon2id passes (libsodium opslimit).</summary>
    public int Iterations { get; set; } = 3;

    /// <summary>Argon2id memory per hash in KiB (libsodium memlimit / 1024).</summary>
    public int MemoryKiB { get; set; } = 65536;

    /// <summary>Hashes computed at once; the rest wait. Peak hashing memory is about this times <see cref="MemoryKiB"/>.</summary>
    public int MaxConcurrent { get; set; } = 2;

    /// <summary>Hashes allowed to wait for a slot; beyond that a sign-in gets FLOOD_WAIT at once.</summary>
    public int MaxQueued { get; set; } = 1000;

    /// <summary>Password checks one client address may have waiting or being hashed at once (and one account, for a
    /// signed-in user's own checks); beyond that its next one gets FLOOD_WAIT at once, so one client cannot fill the line
    /// of <see cref="MaxQueued"/> for everybody. A shared NAT's users each send one check at a time: well within it.</summary>
    public int MaxQueuedPerAddress { get; set; } = 100;
}

internal sealed class SessionOptionsValidator : IValidateOptions<SessionOptions>
{
    public ValidateOptionsResult Validate(string? name, SessionOptions options)
    {
        var problems = new List<string>();
        if (!Enum.TryParse<RegistrationMode>(options.RegistrationMode, ignoreCase: true, out var mode) || !Enum.IsDefined(mode)
            || int.TryParse(options.RegistrationMode, out _))
        {
            problems.Add($"{SessionOptions.Section}:RegistrationMode: '{options.RegistrationMode}' is not one of Open, InviteOnly, Closed");
        }

        var hash = options.PasswordHash;
        // Sodium.Core refuses fewer than 3 passes (the Argon2i minimum), for Argon2id too.
        OptionsProblems.RequireInRange(problems, SessionOptions.Section, nameof(options.MutualFlipsPerHour), options.MutualFlipsPerHour, 0, 1_000_000);
        OptionsProblems.RequireInRange(problems, SessionOptions.Section, nameof(options.MutualFlipBurst), options.MutualFlipBurst, 1, 1_000_000);
        OptionsProblems.RequireInRange(problems, SessionOptions.Section, "PasswordHash:Iterations", hash.Iterations, 3, 100);
        // libsodium's Argon2id accepts at least 8 KiB; above 1 GiB per hash one server cannot sign in anyone briskly.
        OptionsProblems.RequireInRange(problems, SessionOptions.Section, "PasswordHash:MemoryKiB", hash.MemoryKiB, 8, 1024 * 1024);
        OptionsProblems.RequireInRange(problems, SessionOptions.Section, "PasswordHash:MaxConcurrent", hash.MaxConcurrent, 1, 256);
        OptionsProblems.RequireInRange(problems, SessionOptions.Section, "PasswordHash:MaxQueued", hash.MaxQueued, 0, 1_000_000);
        OptionsProblems.RequireInRange(problems, SessionOptions.Section, "PasswordHash:MaxQueuedPerAddress", hash.MaxQueuedPerAddress, 1, 1_000_000);
        OptionsProblems.RequireInRange(problems, SessionOptions.Section, nameof(options.SignInFailuresPerAccount), options.SignInFailuresPerAccount, 1, 1000);
        OptionsProblems.RequireInRange(problems, SessionOptions.Section, nameof(options.SignInFailuresPerAddress), options.SignInFailuresPerAddress, 1, 100_000);
        OptionsProblems.RequireInRange(problems, SessionOptions.Section, nameof(options.FailureWindowSeconds), options.FailureWindowSeconds, 1, 86_400);
        OptionsProblems.RequireInRange(problems, SessionOptions.Section, nameof(options.KnownDeviceDays), options.KnownDeviceDays, 0, 3650);
        OptionsProblems.RequireInRange(problems, SessionOptions.Section, nameof(options.LockoutSeconds), options.LockoutSeconds, 1, 86_400);
        OptionsProblems.RequireInRange(problems, SessionOptions.Section, nameof(options.MaxLockoutSeconds), options.MaxLockoutSeconds, options.LockoutSeconds, 7 * 86_400);
        OptionsProblems.RequireInRange(problems, SessionOptions.Section, nameof(options.RegistrationsPerAddress), options.RegistrationsPerAddress, 1, 1_000_000);
        OptionsProblems.RequireInRange(problems, SessionOptions.Section, nameof(options.RegistrationWindowSeconds), options.RegistrationWindowSeconds, 1, 7 * 86_400);
        OptionsProblems.RequireInRange(problems, SessionOptions.Section, nameof(options.TemporaryPasswordHours), options.TemporaryPasswordHours, 1, 8760);
        OptionsProblems.RequireInRange(problems, SessionOptions.Section, nameof(options.LoginTokenLifetimeSeconds), options.LoginTokenLifetimeSeconds, 10, 3600);
        OptionsProblems.RequireInRange(problems, SessionOptions.Section, nameof(options.LastActiveFlushSeconds), options.LastActiveFlushSeconds, 1, 86_400);
        OptionsProblems.RequireInRange(problems, SessionOptions.Section, nameof(options.UnusedDevicesCheckMinutes), options.UnusedDevicesCheckMinutes, 1, 1440);
        OptionsProblems.RequireInRange(problems, SessionOptions.Section, nameof(options.AuthorizationCacheEntries), options.AuthorizationCacheEntries, 100, 10_000_000);
        OptionsProblems.RequireInRange(problems, SessionOptions.Section, nameof(options.MaxContacts), options.MaxContacts, 1, 100_000);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
