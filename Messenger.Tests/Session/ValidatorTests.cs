using FluentValidation;
using Messenger.Contracts.Account;
using Messenger.Contracts.Admin;
using Messenger.Contracts.Auth;
using Messenger.Contracts.Users;
using Messenger.Session.Account;
using Messenger.Session.Admin;
using Messenger.Session.Auth;
using Messenger.Session.Users;

namespace Messenger.Tests.Session;

/// <summary>The field rules, by the error name a client gets for each bad input.</summary>
public sealed class ValidatorTests
{
    private const string Good = "correct horse";

    private static string? FirstError<T>(AbstractValidator<T> validator, T call) =>
        validator.Validate(call).Errors.FirstOrDefault()?.ErrorCode;

    [Theory]
    [InlineData("alice", null)]
    [InlineData("Alice_1999", null)]
    [InlineData("a_b_c", null)]
    [InlineData("abcdefghijklmnopqrstuvwxyz_01234", null)]
    [InlineData("abcd", "USERNAME_INVALID")]
    [InlineData("abcdefghijklmnopqrstuvwxyz_012345", "USERNAME_INVALID")]
    [InlineData("alice!", "USERNAME_INVALID")]
    [InlineData("al ice", "USERNAME_INVALID")]
    [InlineData("alice.b", "USERNAME_INVALID")]
    [InlineData("álice", "USERNAME_INVALID")]
    [InlineData("алиса1", "USERNAME_INVALID")]
    [InlineData("", "USERNAME_INVALID")]
    [InlineData(null, "USERNAME_INVALID")]
    public void Register_Username(string? username, string? error) =>
        FirstError(new RegisterValidator(), new RegisterCall(username!, Good, "Alice")).Should().Be(error);

    [Fact]
    public void Register_Password_NeedsEightCharactersAndAtMost1024Bytes()
    {
        var validator = new RegisterValidator();
        string? Error(string? password) => FirstError(validator, new RegisterCall("alice", password!, "Alice"));

        Error("1234567").Should().Be("PASSWORD_TOO_SHORT");
        Error("").Should().Be("PASSWORD_TOO_SHORT");
        Error(null).Should().Be("PASSWORD_TOO_SHORT");
        Error("12345678").Should().BeNull();
        Error("пароль!!").Should().BeNull("eight characters, even if sixteen bytes");
        Error("🔑🔑🔑🔑🔑🔑🔑").Should().Be("PASSWORD_TOO_SHORT", "seven characters, however many UTF-16 units");
        Error(new string('x', 1024)).Should().BeNull();
        Error(new string('x', 1025)).Should().Be("PASSWORD_TOO_LONG");
        Error(string.Concat(Enumerable.Repeat("ж", 513))).Should().Be("PASSWORD_TOO_LONG", "513 characters are 1026 bytes");
    }

    [Theory]
    [InlineData("Alice", null)]
    [InlineData("  Alice Smith  ", null)]
    [InlineData("Алиса 🌸", null)]
    [InlineData("", "DISPLAY_NAME_INVALID")]
    [InlineData("   ", "DISPLAY_NAME_INVALID")]
    [InlineData("Ali\u0000ce", "DISPLAY_NAME_INVALID")]
    [InlineData("Ali\nce", "DISPLAY_NAME_INVALID")]
    [InlineData(null, "DISPLAY_NAME_INVALID")]
    public void Register_DisplayName(string? displayName, string? error) =>
        FirstError(new RegisterValidator(), new RegisterCall("alice", Good, displayName!)).Should().Be(error);

    [Fact]
    public void Register_DisplayName_IsAtMost64CharactersAfterTrimming()
    {
        var validator = new RegisterValidator();

        FirstError(validator, new RegisterCall("alice", Good, "  " + new string('a', 64) + "  ")).Should().BeNull();
        FirstError(validator, new RegisterCall("alice", Good, string.Concat(Enumerable.Repeat("🌸", 64)))).Should().BeNull();
        FirstError(validator, new RegisterCall("alice", Good, new string('a', 65))).Should().Be("DISPLAY_NAME_INVALID");
    }

    [Theory]
    [InlineData("Laptop", "linux", null)]
    [InlineData("", "linux", "DEVICE_NAME_INVALID")]
    [InlineData("Laptop", " ", "PLATFORM_INVALID")]
    [InlineData("Laptop", "a-platform-name-longer-than-32-chars", "PLATFORM_INVALID")]
    public void SignIn_DeviceNameAndPlatform(string deviceName, string platform, string? error) =>
        FirstError(new SignInValidator(), new SignInCall("alice", Good, deviceName, platform)).Should().Be(error);

    [Fact]
    public void SignIn_PasswordOver1024Bytes_IsRefusedBeforeHashing() =>
        FirstError(new SignInValidator(), new SignInCall("alice", new string('x', 1025), "Laptop", "linux")).Should().Be("PASSWORD_TOO_LONG");

    [Fact]
    public void ChangePassword_NewPassword_FollowsTheRegistrationRules()
    {
        var validator = new ChangePasswordValidator();

        FirstError(validator, new ChangePasswordCall(Good, "short")).Should().Be("PASSWORD_TOO_SHORT");
        FirstError(validator, new ChangePasswordCall(Good, new string('x', 1025))).Should().Be("PASSWORD_TOO_LONG");
        FirstError(validator, new ChangePasswordCall(Good, "another good one")).Should().BeNull();
    }

    [Fact]
    public void UpdateProfile_BioOver140Characters_IsTooLong()
    {
        var validator = new UpdateProfileValidator();

        FirstError(validator, new UpdateProfileCall("Alice", new string('b', 140))).Should().BeNull();
        FirstError(validator, new UpdateProfileCall("Alice", new string('b', 141))).Should().Be("BIO_TOO_LONG");
        FirstError(validator, new UpdateProfileCall(" ", "")).Should().Be("DISPLAY_NAME_INVALID");
    }

    [Theory]
    [InlineData("al", 20, null)]
    [InlineData("Al_1", 50, null)]
    [InlineData("", 20, "SEARCH_QUERY_INVALID")]
    [InlineData("a%", 20, null)]
    [InlineData("José García", 20, null)]
    [InlineData("%_", 20, "SEARCH_QUERY_INVALID")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 20, "SEARCH_QUERY_INVALID")]
    [InlineData("al", 0, "LIMIT_INVALID")]
    [InlineData("al", 51, "LIMIT_INVALID")]
    public void SearchUsers(string prefix, int limit, string? error) =>
        FirstError(new SearchUsersValidator(), new SearchUsersCall(prefix, limit)).Should().Be(error);

    [Fact]
    public void GetUsers_NeedsOneTo200Ids()
    {
        var validator = new GetUsersValidator();

        FirstError(validator, new GetUsersCall([])).Should().Be("USER_IDS_INVALID");
        FirstError(validator, new GetUsersCall(null!)).Should().Be("USER_IDS_INVALID");
        FirstError(validator, new GetUsersCall(Enumerable.Range(1, 201).Select(i => (long)i).ToArray())).Should().Be("USER_IDS_INVALID");
        FirstError(validator, new GetUsersCall([1, 2])).Should().BeNull();
    }

    [Theory]
    [InlineData(1, null, null)]
    [InlineData(1000, 3600, null)]
    [InlineData(0, null, "USES_INVALID")]
    [InlineData(1001, null, "USES_INVALID")]
    [InlineData(1, 59, "EXPIRES_INVALID")]
    [InlineData(1, -1, "EXPIRES_INVALID")]
    public void CreateInvite(int uses, int? expiresIn, string? error) =>
        FirstError(new CreateInviteValidator(), new CreateInviteCall(uses, expiresIn)).Should().Be(error);

    [Theory]
    [InlineData(0, 1, null)]
    [InlineData(-1, 10, "OFFSET_INVALID")]
    [InlineData(0, 0, "LIMIT_INVALID")]
    [InlineData(0, 101, "LIMIT_INVALID")]
    public void ListUsers(int offset, int limit, string? error) =>
        FirstError(new ListUsersValidator(), new ListUsersCall(offset, limit)).Should().Be(error);
}
