namespace Messenger.Contracts.Auth;

/// <summary>Stable error names of accounts, devices and sign-in (besides the protocol's <c>AUTH_KEY_UNREGISTERED</c>
/// and <c>FLOOD_WAIT</c>).</summary>
public static class SessionErrorNames
{
    public const string UsernameInvalid = "USERNAME_INVALID";
    public const string UsernameOccupied = "USERNAME_OCCUPIED";
    public const string UsernameNotModified = "USERNAME_NOT_MODIFIED";
    public const string PasswordTooShort = "PASSWORD_TOO_SHORT";
    public const string PasswordTooLong = "PASSWORD_TOO_LONG";
    public const string DisplayNameInvalid = "DISPLAY_NAME_INVALID";
    public const string BioTooLong = "BIO_TOO_LONG";

    /// <summary>A bio holds a character a name may not (<c>DISPLAY_NAME_INVALID</c>'s rule: controls and line breaks,
    /// bidi controls, invisible spoofers) or nothing visible.</summary>
    public const string BioInvalid = "BIO_INVALID";
    public const string DeviceNameInvalid = "DEVICE_NAME_INVALID";
    public const string PlatformInvalid = "PLATFORM_INVALID";

    /// <summary>403: the server's registration mode is <c>Closed</c>.</summary>
    public const string RegistrationClosed = "REGISTRATION_CLOSED";
    public const string InviteCodeInvalid = "INVITE_CODE_INVALID";
    public const string InviteCodeExpired = "INVITE_CODE_EXPIRED";

    /// <summary>Unknown username or wrong password: the same answer for both, so accounts cannot be enumerated.</summary>
    public const string CredentialsInvalid = "CREDENTIALS_INVALID";

    /// <summary>The old password given to <c>account.changePassword</c> is wrong.</summary>
    public const string PasswordInvalid = "PASSWORD_INVALID";
    public const string AlreadySignedIn = "ALREADY_SIGNED_IN";

    /// <summary>401, to <c>auth.signIn</c> with the right password when it is a temporary one an admin set and its time
    /// is up (<c>TemporaryPasswordHours</c>): ask an admin for a new one. A wrong password still gets
    /// <c>CREDENTIALS_INVALID</c>.</summary>
    public const string PasswordExpired = "PASSWORD_EXPIRED";

    /// <summary>403: the account is blocked by an admin.</summary>
    public const string UserBlocked = "USER_BLOCKED";
    public const string LoginTokenInvalid = "LOGIN_TOKEN_INVALID";
    public const string LoginTokenExpired = "LOGIN_TOKEN_EXPIRED";

    /// <summary>404: no authorization with that id on this account.</summary>
    public const string AuthorizationNotFound = "AUTHORIZATION_NOT_FOUND";

    /// <summary><c>account.setAuthorizationTTL</c> takes 7, 30, 90, 180 or 365 days only.</summary>
    public const string AuthorizationTtlInvalid = "AUTHORIZATION_TTL_INVALID";

    /// <summary>403: an admin-only method.</summary>
    public const string AdminRequired = "ADMIN_REQUIRED";
    public const string UserIdInvalid = "USER_ID_INVALID";
    public const string UserIdsInvalid = "USER_IDS_INVALID";
    public const string UserIsSelf = "USER_IS_SELF";

    /// <summary>403: the server's last usable admin (not blocked, not a bot) cannot delete their account, stop being admin
    /// or be blocked (nobody could administer the server).</summary>
    public const string LastAdmin = "LAST_ADMIN";

    /// <summary><c>admin.setUserAdmin</c>: a bot cannot be made a server admin (it signs in with no password and
    /// answers to its owner).</summary>
    public const string UserIsBot = "USER_IS_BOT";

    public const string SearchQueryInvalid = "SEARCH_QUERY_INVALID";
    public const string LimitInvalid = "LIMIT_INVALID";
    public const string OffsetInvalid = "OFFSET_INVALID";
    public const string UsesInvalid = "USES_INVALID";
    public const string ExpiresInvalid = "EXPIRES_INVALID";

    /// <summary>A profile photo must be an image whose size the server can read (JPEG, PNG, GIF, WebP).</summary>
    public const string PhotoInvalid = "PHOTO_INVALID";
    public const string PhotoTooBig = "PHOTO_TOO_BIG";

    /// <summary>The password was right and the account has two-step verification: sign in again with <c>code</c>.</summary>
    public const string TwoFactorCodeRequired = "TWO_FACTOR_CODE_REQUIRED";

    /// <summary>Not a current code of the account's authenticator nor an unused recovery code (or not of their shape).</summary>
    public const string TwoFactorCodeInvalid = "TWO_FACTOR_CODE_INVALID";
    public const string TwoFactorEnabled = "TWO_FACTOR_ENABLED";
    public const string TwoFactorNotEnabled = "TWO_FACTOR_NOT_ENABLED";
    public const string TwoFactorNotSetUp = "TWO_FACTOR_NOT_SET_UP";
    public const string PrivacyValueInvalid = "PRIVACY_VALUE_INVALID";
}
