using Messenger.Client;
using Messenger.Contracts.Admin;
using Messenger.Contracts.Help;
using Messenger.Contracts.Users;
using Messenger.Kernel.Storage;
using Messenger.Session.Passwords;
using Messenger.Session.Storage;
using Messenger.Tests.Host;
using Messenger.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Messenger.Tests.Session.SessionTestKit;

namespace Messenger.Tests.Session;

public sealed class SignInTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await StartHostAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task SignIn_BindsTheDevice_SoItsNextConnectionIsSignedInByTheHandshakeAlone()
    {
        var keys = new InMemoryDeviceKeyStore();
        await using (var first = await _host.ConnectAsync(keys))
        {
            await first.RegisterAsync("alice", Password, "Alice");
            var signedIn = await first.SignInAsync("alice", Password, "Laptop", "linux");
            signedIn.User.Username.Should().Be("alice");
            signedIn.IsAdmin.Should().BeTrue();
        }

        await using var again = await _host.ConnectAsync(keys);
        var authorizations = await again.GetAuthorizationsAsync();

        authorizations.Should().ContainSingle().Which.Should().Match<Messenger.Contracts.Account.Authorization>(
            a => a.Current && a.DeviceName == "Laptop" && a.Platform == "linux" && a.ClientAddress == "127.0.0.1");
    }

    [Fact]
    public async Task SignIn_WithAnyCaseOfTheUsername_Works()
    {
        await using var client = await _host.ConnectAsync();
        await client.RegisterAsync("Alice_B", Password, "Alice");

        var signedIn = await client.SignInAsync("aLiCe_b", Password, "Laptop", "linux");

        signedIn.User.Username.Should().Be("Alice_B");
    }

    [Fact]
    public async Task Calls_FromADeviceThatIsNotSignedIn_OnlyHelpAndSignInMethodsAnswer()
    {
        await using var client = await _host.ConnectAsync();

        (await client.CallAsync(new PingCall(7))).Id.Should().Be(7);
        await client.CallAsync(new GetConfigCall());
        await client.ExportLoginTokenAsync("Laptop", "linux");
        await client.RegisterAsync("alice", Password, "Alice");
        await FailsWith(() => client.SignInAsync("alice", "wrong password", "Laptop", "linux"), "CREDENTIALS_INVALID");

        Func<Task>[] refused =
        [
            () => client.GetAuthorizationsAsync(),
            () => client.ResetAuthorizationAsync(1),
            () => client.ResetOtherAuthorizationsAsync(),
            () => client.ChangePasswordAsync(Password, "a new password"),
            () => client.UpdateProfileAsync("Alice"),
            () => client.GetUsersAsync([1]),
            () => client.SearchUsersAsync("ali"),
            () => client.AcceptLoginTokenAsync("token"),
            () => client.SignOutAsync(),
            () => client.CreateInviteAsync(1),
            () => client.ListUsersAsync(0, 10),
            () => client.SetUserBlockedAsync(1, true),
        ];
        foreach (var call in refused)
        {
            (await FailsWith(call, "AUTH_KEY_UNREGISTERED")).Code.Should().Be(401);
        }
    }

    [Fact]
    public async Task SignIn_WithAWrongPasswordOrAnUnknownUser_GivesTheSameError()
    {
        await using var client = await _host.ConnectAsync();
        await client.RegisterAsync("alice", Password, "Alice");

        var wrongPassword = await FailsWith(() => client.SignInAsync("alice", "not the password", "Laptop", "linux"), "CREDENTIALS_INVALID");
        var unknownUser = await FailsWith(() => client.SignInAsync("nobody_here", Password, "Laptop", "linux"), "CREDENTIALS_INVALID");
        var malformedUser = await FailsWith(() => client.SignInAsync("no!", Password, "Laptop", "linux"), "CREDENTIALS_INVALID");

        new[] { wrongPassword, unknownUser, malformedUser }.Select(e => (e.Code, e.RetryAfterSeconds)).Should().AllBeEquivalentTo((400, (int?)null));
    }

    [Fact]
    public async Task SignIn_WhenTheDeviceIsAlreadySignedIn_FailsAlreadySignedIn()
    {
        await using var client = await _host.SignedInClientAsync("alice");
        await using var other = await _host.ConnectAsync();
        await other.RegisterAsync("bobby", Password, "Bob");

        await FailsWith(() => client.SignInAsync("bobby", Password, "Laptop", "linux"), "ALREADY_SIGNED_IN");
        await FailsWith(() => client.ExportLoginTokenAsync("Laptop", "linux"), "ALREADY_SIGNED_IN");
    }

    [Fact]
    public async Task SignOut_EndsThisDevicesAuthorization_AndItMaySignInAgain()
    {
        await using var client = await _host.SignedInClientAsync("alice");

        await client.SignOutAsync();

        // The server closes the device's connection after answering; the SDK reconnects, signed out.
        await FailsWith(() => client.GetAuthorizationsAsync(), "AUTH_KEY_UNREGISTERED");
        await client.SignInAsync("alice", Password, "Laptop again", "linux");
        (await client.GetAuthorizationsAsync()).Should().ContainSingle().Which.DeviceName.Should().Be("Laptop again");
    }

    [Fact]
    public async Task SignOut_AnswersFirstThenClosesTheDevicesConnection()
    {
        await using var client = await _host.ConnectWithoutReconnectAsync();
        await client.RegisterAsync("alice", Password, "Alice");
        await client.SignInAsync("alice", Password, "Laptop", "linux");

        await client.SignOutAsync();

        await WaitUntil(() => !client.IsConnected);
    }

    [Fact]
    public async Task SignIn_WhenManyDevicesSignInAtOnce_AllSucceedWaitingForAHashingSlot()
    {
        // Twice the address's limit (20), from one address (a shared NAT's): a sign-in waiting in line holds no place.
        await using var host = await StartHostAsync(new Dictionary<string, string?> { ["Messenger:Session:PasswordHash:MaxConcurrent"] = "1" });
        await using (var registrar = await host.ConnectAsync())
        {
            await registrar.RegisterAsync("alice", Password, "Alice");
        }

        var devices = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => host.ConnectAsync()));
        try
        {
            var signedIn = await Task.WhenAll(devices.Select((d, i) => d.SignInAsync("alice", Password, $"Device {i}", "tests")));

            signedIn.Select(s => s.AuthorizationId).Should().OnlyHaveUniqueItems().And.HaveCount(40);
            (await devices[0].GetAuthorizationsAsync()).Should().HaveCount(40);
        }
        finally
        {
            await Task.WhenAll(devices.Select(d => d.DisposeAsync().AsTask()));
        }
    }

    [Fact]
    public async Task UpdateProfile_IsWhatOthersSee()
    {
        await using var alice = await _host.SignedInClientAsync("alice");
        await using var bob = await _host.SignedInClientAsync("bobby");
        var aliceId = (await alice.SearchUsersAsync("alice")).Single().Id;

        var updated = await alice.UpdateProfileAsync("  Alice Liddell ", "Curiouser and curiouser");
        await FailsWith(() => alice.UpdateProfileAsync("Alice", new string('b', 141)), "BIO_TOO_LONG");
        await FailsWith(() => alice.UpdateProfileAsync(" ", ""), "DISPLAY_NAME_INVALID");

        updated.DisplayName.Should().Be("Alice Liddell");
        (await bob.GetUsersAsync([aliceId, 999_999])).Should().ContainSingle().Which
            .Should().Be(new User(aliceId, "alice", "Alice Liddell", "Curiouser and curiouser"));
    }

    [Fact]
    public async Task SearchUsers_ByPrefix_IgnoresCase_AndRanksTheUsernameAsTypedFirst()
    {
        await using var client = await _host.SignedInClientAsync("alice");
        await client.RegisterAsync("alicia", Password, "Alicia");
        await client.RegisterAsync("al_bundy", Password, "Al");
        await client.RegisterAsync("albert", Password, "Albert");
        await client.RegisterAsync("bobby", Password, "Bob");

        (await client.SearchUsersAsync("ALI")).Select(u => u.Username).Should().Equal("alice", "alicia");
        // An underscore separates words, as in names; the name "Al" is the whole query's words and its username starts
        // with the query as typed.
        (await client.SearchUsersAsync("al_")).Select(u => u.Username).Should().Equal("al_bundy", "albert", "alice", "alicia");
        (await client.SearchUsersAsync("al", limit: 2)).Should().HaveCount(2);
        (await client.SearchUsersAsync("zed")).Should().BeEmpty();
        await FailsWith(() => client.SearchUsersAsync("%%"), "SEARCH_QUERY_INVALID");
    }

    [Fact]
    public async Task AdminMethods_ForAUserWhoIsNotAdmin_Fail403()
    {
        await using var admin = await _host.SignedInClientAsync("founder");
        await using var member = await _host.SignedInClientAsync("member");

        Func<Task>[] adminOnly =
        [
            () => member.CreateInviteAsync(1),
            () => member.ListUsersAsync(0, 10),
            () => member.SetUserBlockedAsync(1, true),
        ];
        foreach (var call in adminOnly)
        {
            (await FailsWith(call, "ADMIN_REQUIRED")).Code.Should().Be(403);
        }

        (await admin.ListUsersAsync(0, 10)).Total.Should().Be(2);
    }

    [Fact]
    public async Task ListUsers_PagesThroughAccountsById()
    {
        await using var admin = await _host.SignedInClientAsync("founder");
        for (var i = 0; i < 4; i++)
        {
            await admin.RegisterAsync($"member{i}", Password, $"Member {i}");
        }

        var first = await admin.ListUsersAsync(0, 3);
        var second = await admin.ListUsersAsync(3, 3);

        first.Total.Should().Be(5);
        first.Users.Select(u => u.Username).Should().Equal("founder", "member0", "member1");
        second.Users.Select(u => u.Username).Should().Equal("member2", "member3");
        first.Users[0].Should().Match<AdminUser>(u => u.IsAdmin && !u.IsBlocked && u.Devices == 1);
        first.Users[1].Should().Match<AdminUser>(u => !u.IsAdmin && u.Devices == 0);
    }
}

public sealed class BruteForceTests
{
    [Fact]
    public async Task SignIn_AfterFiveFailuresForAnAccount_FloodWaitWithGrowingWaits()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await StartHostAsync(clock: clock);
        await using var client = await host.ConnectAsync();
        await client.RegisterAsync("alice", Password, "Alice");

        for (var i = 0; i < 5; i++)
        {
            await FailsWith(() => client.SignInAsync("alice", $"guess number {i}", "Laptop", "linux"), "CREDENTIALS_INVALID");
        }

        var first = await FailsWith(() => client.SignInAsync("alice", Password, "Laptop", "linux"), "FLOOD_WAIT");
        first.Code.Should().Be(420);
        first.RetryAfterSeconds.Should().Be(60, "even the right password waits out the lockout");

        clock.Advance(TimeSpan.FromSeconds(60));
        for (var i = 0; i < 5; i++)
        {
            await FailsWith(() => client.SignInAsync("alice", $"second round {i}", "Laptop", "linux"), "CREDENTIALS_INVALID");
        }

        var second = await FailsWith(() => client.SignInAsync("alice", Password, "Laptop", "linux"), "FLOOD_WAIT");
        second.RetryAfterSeconds.Should().Be(120);

        clock.Advance(TimeSpan.FromSeconds(120));
        await client.SignInAsync("alice", Password, "Laptop", "linux");
    }

    [Fact]
    public async Task SignIn_LockoutOfAnUnknownAccount_LooksLikeThatOfAKnownOne()
    {
        await using var host = await StartHostAsync();
        await using var client = await host.ConnectAsync();

        for (var i = 0; i < 5; i++)
        {
            await FailsWith(() => client.SignInAsync("nobody_here", $"guess {i}", "Laptop", "linux"), "CREDENTIALS_INVALID");
        }

        (await FailsWith(() => client.SignInAsync("nobody_here", "guess", "Laptop", "linux"), "FLOOD_WAIT")).RetryAfterSeconds.Should().BeInRange(1, 60);
    }

    [Fact]
    public async Task SignIn_WhenOneAddressFailsAcrossManyAccounts_FloodWaitForThatAddress()
    {
        await using var host = await StartHostAsync(new Dictionary<string, string?> { ["Messenger:Session:SignInFailuresPerAddress"] = "3" });
        await using var attacker = await host.ConnectAsync();
        await attacker.RegisterAsync("victim", Password, "Victim");

        await FailsWith(() => attacker.SignInAsync("account1", "guess", "Laptop", "linux"), "CREDENTIALS_INVALID");
        await FailsWith(() => attacker.SignInAsync("account2", "guess", "Laptop", "linux"), "CREDENTIALS_INVALID");
        await FailsWith(() => attacker.SignInAsync("account3", "guess", "Laptop", "linux"), "CREDENTIALS_INVALID");

        (await FailsWith(() => attacker.SignInAsync("victim", Password, "Laptop", "linux"), "FLOOD_WAIT")).RetryAfterSeconds.Should().BePositive();
    }

    [Fact]
    public async Task SignIn_WhenFiftyGuessesComeAtOnce_OnlyFiveAreCheckedAndTheRightPasswordAfterThemIsRefused()
    {
        await using var host = await StartHostAsync(OneHashingSlot);
        var hasher = host.Services.GetRequiredService<PasswordHasher>();
        await using var attacker = await host.ConnectAsync();
        await attacker.RegisterAsync("alice", Password, "Alice");

        await hasher.Slots.WaitAsync();
        var guesses = Enumerable.Range(0, 50).Select(i => attacker.SignInAsync("alice", $"guess number {i}", "Laptop", "linux")).ToList();
        await WaitUntil(() => hasher.Waiting == 50);
        var right = attacker.SignInAsync("alice", Password, "Laptop", "linux");
        await WaitUntil(() => hasher.Waiting == 51);
        hasher.Slots.Release();

        (await Answers(guesses)).Should().BeEquivalentTo(Enumerable.Repeat("CREDENTIALS_INVALID", 5).Concat(Enumerable.Repeat("FLOOD_WAIT", 45)));
        await FailsWith(() => right, "FLOOD_WAIT");
        (await FailsWith(() => attacker.SignInAsync("alice", Password, "Laptop", "linux"), "FLOOD_WAIT")).RetryAfterSeconds.Should().BeInRange(1, 60);
    }

    [Fact]
    public async Task SignIn_WhenGuessesAtManyAccountsComeAtOnceFromSeveralConnections_OnlyTheAddressLimitIsChecked()
    {
        await using var host = await StartHostAsync(OneHashingSlot);
        var hasher = host.Services.GetRequiredService<PasswordHasher>();
        var connections = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => host.ConnectAsync()));
        try
        {
            await connections[0].RegisterAsync("victim", Password, "Victim");

            await hasher.Slots.WaitAsync();
            var guesses = connections.SelectMany((c, i) => Enumerable.Range(0, 10).Select(j => c.SignInAsync($"account_{i}_{j}", "guess", "Laptop", "linux"))).ToList();
            await WaitUntil(() => hasher.Waiting == 50);
            var right = connections[0].SignInAsync("victim", Password, "Laptop", "linux");
            await WaitUntil(() => hasher.Waiting == 51);
            hasher.Slots.Release();

            (await Answers(guesses)).Should().BeEquivalentTo(Enumerable.Repeat("CREDENTIALS_INVALID", 20).Concat(Enumerable.Repeat("FLOOD_WAIT", 30)));
            await FailsWith(() => right, "FLOOD_WAIT");
            await FailsWith(() => connections[1].SignInAsync("victim", Password, "Laptop", "linux"), "FLOOD_WAIT");
        }
        finally
        {
            await Task.WhenAll(connections.Select(c => c.DisposeAsync().AsTask()));
        }
    }

    [Fact]
    public async Task ChangePassword_WhenTwentyGuessesComeAtOnce_OnlyFiveAreCheckedAndTheRightPasswordAfterThemIsRefused()
    {
        await using var host = await StartHostAsync(OneHashingSlot);
        var hasher = host.Services.GetRequiredService<PasswordHasher>();
        await using var client = await host.SignedInClientAsync("alice");

        await hasher.Slots.WaitAsync();
        var guesses = Enumerable.Range(0, 20).Select(i => client.ChangePasswordAsync($"guess {i}", "a new password")).ToList();
        await WaitUntil(() => hasher.Waiting == 20);
        var right = client.ChangePasswordAsync(Password, "a new password");
        await WaitUntil(() => hasher.Waiting == 21);
        hasher.Slots.Release();

        (await Answers(guesses)).Should().BeEquivalentTo(Enumerable.Repeat("PASSWORD_INVALID", 5).Concat(Enumerable.Repeat("FLOOD_WAIT", 15)));
        await FailsWith(() => right, "FLOOD_WAIT");
        await FailsWith(() => client.ChangePasswordAsync(Password, "a new password"), "FLOOD_WAIT");
    }

    [Fact]
    public async Task SignIn_WhenOneAddressFloodsTheHashingLineWithTheRightPassword_AnotherAddressStillGetsInLine()
    {
        await using var host = await StartHostAsync(new Dictionary<string, string?>
        {
            ["Messenger:Session:PasswordHash:MaxConcurrent"] = "1",
            ["Messenger:Session:PasswordHash:MaxQueued"] = "10",
            ["Messenger:Session:PasswordHash:MaxQueuedPerAddress"] = "5",
        });
        var hasher = host.Services.GetRequiredService<PasswordHasher>();
        await using var flooder = await host.ConnectAsync();
        await flooder.RegisterAsync("alice", Password, "Alice");
        await using var neighbour = await ForwardedClientTests.ConnectViaProxyAsync(host, "203.0.113.7");
        await neighbour.RegisterAsync("bobby", Password, "Bob");

        await hasher.Slots.WaitAsync();
        var flood = Enumerable.Range(0, 20).Select(i => flooder.SignInAsync("alice", Password, $"Device {i}", "tests")).ToList();
        await WaitUntil(() => hasher.Waiting + flood.Count(call => call.IsCompleted) == 20);
        hasher.Waiting.Should().Be(5, "the rest of the flood was refused at once, not queued");
        var signIn = neighbour.SignInAsync("bobby", Password, "Laptop", "linux");
        await WaitUntil(() => hasher.Waiting == 6 || signIn.IsCompleted);
        hasher.Slots.Release();

        (await signIn).User.Username.Should().Be("bobby");
        (await Answers(flood)).Count(answer => answer == "FLOOD_WAIT").Should().Be(15);
    }

    private static readonly Dictionary<string, string?> OneHashingSlot = new() { ["Messenger:Session:PasswordHash:MaxConcurrent"] = "1" };

    /// <summary>Each call's error name ("OK" for none).</summary>
    private static Task<string[]> Answers(IEnumerable<Task> calls) => Task.WhenAll(calls.Select(async call =>
    {
        try
        {
            await call;
            return "OK";
        }
        catch (RpcException e)
        {
            return e.Name;
        }
    }));

    [Fact]
    public async Task ChangePassword_WithTheWrongOldPassword_FailsAndCountsAsAFailedSignIn()
    {
        await using var host = await StartHostAsync();
        await using var client = await host.SignedInClientAsync("alice");

        for (var i = 0; i < 5; i++)
        {
            await FailsWith(() => client.ChangePasswordAsync($"guess {i}", "a new password"), "PASSWORD_INVALID");
        }

        await FailsWith(() => client.ChangePasswordAsync(Password, "a new password"), "FLOOD_WAIT");
    }
}

/// <summary>A sign-in whose password waits in line for a hashing slot while the account changes: the hashing slot is held
/// by the test so the change lands before the sign-in's check, or (the storage writer held too) between its check and the
/// bind of its device.</summary>
public sealed class SignInRaceTests
{
    [Fact]
    public async Task SignIn_WhenAnotherSignInRehashesThePasswordBetweenItsCheckAndItsBind_SignsIn()
    {
        using var directory = new TempDirectory();
        var (started, aliceId) = await StartAtAHigherCostAsync(directory);
        await using var host = started;
        var (hasher, store) = (host.Services.GetRequiredService<PasswordHasher>(), host.Services.GetRequiredService<SessionStore>());
        var checkedHash = store.GetUser(aliceId)!.PasswordHash;
        await using var device = await host.ConnectAsync();

        await hasher.Slots.WaitAsync();
        var signIn = device.SignInAsync("alice", Password, "Laptop", "linux");
        await WaitUntil(() => hasher.Waiting == 1);
        using var writer = await HoldWriterAsync(host);
        // The other sign-in's rehash, queued behind the held writer: it lands after this sign-in's check, before its bind.
        var rehash = store.RehashPasswordAsync(aliceId, checkedHash, hasher.Hash(Password));
        hasher.Slots.Release();
        await WaitUntil(() => hasher.Waiting == 0);
        writer.Release();
        await rehash;

        (await signIn).User.Id.Should().Be(aliceId);
        store.ListAuthorizations(aliceId).Should().ContainSingle().Which.DeviceName.Should().Be("Laptop");
        store.GetUser(aliceId)!.PasswordHash.Should().NotBe(checkedHash);
    }

    [Fact]
    public async Task SignIn_WhenThePasswordChangesBetweenItsCheckAndItsBind_FailsCredentialsInvalid()
    {
        await using var host = await StartHostAsync(new Dictionary<string, string?> { ["Messenger:Session:PasswordHash:MaxConcurrent"] = "1" });
        var (hasher, store) = (host.Services.GetRequiredService<PasswordHasher>(), host.Services.GetRequiredService<SessionStore>());
        await using var device = await host.ConnectAsync();
        var aliceId = (await device.RegisterAsync("alice", Password, "Alice")).User.Id;

        await hasher.Slots.WaitAsync();
        var stale = device.SignInAsync("alice", Password, "Laptop", "linux");
        await WaitUntil(() => hasher.Waiting == 1);
        using var writer = await HoldWriterAsync(host);
        var change = store.ChangePasswordAsync(aliceId, hasher.Hash("a brand new password"), keepAuthorizationId: 0);
        hasher.Slots.Release();
        await WaitUntil(() => hasher.Waiting == 0);
        writer.Release();
        await change;

        await FailsWith(() => stale, "CREDENTIALS_INVALID");
        store.ListAuthorizations(aliceId).Should().BeEmpty();
    }

    /// <summary>Holds the storage writer in a unit that waits until the returned hold is released: writes queued meanwhile
    /// land in the order they were queued once it is.</summary>
    private static async Task<HeldWriter> HoldWriterAsync(TestHost host)
    {
        var writer = new HeldWriter();
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = host.Services.GetRequiredService<StorageWriter>().WriteAsync(_ =>
        {
            held.SetResult();
            writer.Wait();
        });
        await held.Task;
        return writer;
    }

    /// <summary>The storage writer held by <see cref="HoldWriterAsync"/>: let go by <see cref="Release"/>, or at the latest
    /// when disposed, so an assertion failing before the release does not leave the writer blocked.</summary>
    private sealed class HeldWriter : IDisposable
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Wait() => _released.Task.Wait(TimeSpan.FromSeconds(20));

        public void Release() => _released.TrySetResult();

        public void Dispose() => Release();
    }

    [Fact]
    public async Task SignIn_WhenThePasswordChangesWhileItWaitsForItsHash_FailsCredentialsInvalid()
    {
        await using var host = await StartHostAsync(new Dictionary<string, string?> { ["Messenger:Session:PasswordHash:MaxConcurrent"] = "1" });
        var (hasher, store) = (host.Services.GetRequiredService<PasswordHasher>(), host.Services.GetRequiredService<SessionStore>());
        await using var owner = await host.ConnectAsync();
        await owner.RegisterAsync("alice", Password, "Alice");
        var signedIn = await owner.SignInAsync("alice", Password, "Phone", "tests");
        await using var thief = await host.ConnectAsync();

        await hasher.Slots.WaitAsync();
        var stale = thief.SignInAsync("alice", Password, "Laptop", "linux");
        await WaitUntil(() => hasher.Waiting == 1);
        await store.ChangePasswordAsync(signedIn.User.Id, hasher.Hash("a brand new password"), signedIn.AuthorizationId);
        hasher.Slots.Release();

        await FailsWith(() => stale, "CREDENTIALS_INVALID");
        (await owner.GetAuthorizationsAsync()).Should().ContainSingle().Which.DeviceName.Should().Be("Phone");
        (await thief.SignInAsync("alice", "a brand new password", "Laptop", "linux")).User.Id.Should().Be(signedIn.User.Id);
    }

    [Fact]
    public async Task SignIn_WhenTheAccountIsDeletedWhileItWaitsForItsHash_FailsCredentialsInvalid()
    {
        await using var host = await StartHostAsync(new Dictionary<string, string?> { ["Messenger:Session:PasswordHash:MaxConcurrent"] = "1" });
        var (hasher, store) = (host.Services.GetRequiredService<PasswordHasher>(), host.Services.GetRequiredService<SessionStore>());
        await using var admin = await host.SignedInClientAsync("the_admin");
        await using var device = await host.ConnectAsync();
        var alice = await device.RegisterAsync("alice", Password, "Alice");

        await hasher.Slots.WaitAsync();
        var stale = device.SignInAsync("alice", Password, "Laptop", "linux");
        await WaitUntil(() => hasher.Waiting == 1);
        await store.DeleteAccountAsync(alice.User.Id);
        hasher.Slots.Release();

        await FailsWith(() => stale, "CREDENTIALS_INVALID");
        store.ListAuthorizations(alice.User.Id).Should().BeEmpty();
    }

    [Fact]
    public async Task SignIn_WhenThePasswordChangesWhileItsRehashWaits_KeepsTheNewPassword()
    {
        using var directory = new TempDirectory();
        var (started, aliceId) = await StartAtAHigherCostAsync(directory);
        await using var host = started;
        var (hasher, store) = (host.Services.GetRequiredService<PasswordHasher>(), host.Services.GetRequiredService<SessionStore>());
        await using var device = await host.ConnectAsync();

        await hasher.Slots.WaitAsync();
        var signIn = device.SignInAsync("alice", Password, "Laptop", "linux");
        await WaitUntil(() => hasher.Waiting == 1);
        // Given to the sign-in's check, then taken back before its rehash (the slot's waiters are served in order).
        var retake = hasher.Slots.WaitAsync();
        hasher.Slots.Release();
        await retake;
        await WaitUntil(() => store.ListAuthorizations(aliceId).Count == 1 && hasher.Waiting == 1);
        await store.ChangePasswordAsync(aliceId, hasher.Hash("a brand new password"), keepAuthorizationId: 0);
        hasher.Slots.Release();
        await signIn;

        await using var other = await host.ConnectAsync();
        await FailsWith(() => other.SignInAsync("alice", Password, "Tablet", "linux"), "CREDENTIALS_INVALID");
        await other.SignInAsync("alice", "a brand new password", "Tablet", "linux");
    }

    /// <summary>Alice registered at the default cost, then the host started again at a higher one, one hash at a time: a
    /// sign-in now rehashes her password after binding its device.</summary>
    private static async Task<(TestHost Host, long AliceId)> StartAtAHigherCostAsync(TempDirectory directory)
    {
        long aliceId;
        await using (var before = await StartHostAsync(dataDirectory: directory.Path))
        {
            await using var registrar = await before.ConnectAsync();
            aliceId = (await registrar.RegisterAsync("alice", Password, "Alice")).User.Id;
        }

        var host = await StartHostAsync(
            new Dictionary<string, string?> { ["Messenger:Session:PasswordHash:MaxConcurrent"] = "1", ["Messenger:Session:PasswordHash:Iterations"] = "4" },
            dataDirectory: directory.Path);
        return (host, aliceId);
    }
}
