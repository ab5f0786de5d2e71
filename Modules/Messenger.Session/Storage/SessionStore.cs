using Messenger.Contracts.Account;
using Messenger.Contracts.Admin;
using Messenger.Contracts.Auth;
using Messenger.Contracts.Bots;
using Messenger.Contracts.Media;
using Messenger.Contracts.Wire;
using Messenger.Kernel.Media;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Users;
using Messenger.Session.Limits;
using Microsoft.Data.Sqlite;

namespace Messenger.Session.Storage;

internal sealed record UserRecord(
    long Id, string Username, string DisplayName, string Bio, bool IsAdmin, bool IsBlocked, long CreatedAt, string PasswordHash,
    MessageMedia? Photo = null, bool IsBot = false, long? TemporaryPasswordExpiresAt = null)
{
    /// <summary>A deleted account keeps its row with an empty username (a real one has at least 5 characters).</summary>
    public bool Deleted => Username.Length == 0;
}

internal sealed record AuthorizationRecord(
    long Id, long UserId, byte[] DeviceKey, string DeviceName, string Platform, string ClientAddress, long CreatedAt, long LastActiveAt);

/// <summary>An authorization not used for longer than its account allows (<see cref="Days"/>): unused since before
/// <see cref="CutoffMs"/>.</summary>
internal sealed record UnusedAuthorization(long Id, long UserId, byte[] DeviceKey, int Days, long CutoffMs);

/// <summary>A device whose authorization was deleted: who to disconnect and which cache entry to drop.</summary>
internal sealed record RevokedDevice(long AuthorizationId, byte[] DeviceKey);

internal sealed record NewUser(string Username, string UsernameKey, string PasswordHash, string DisplayName, string? InviteCode);

/// <summary>An admin's action for the audit log (<c>session_audit</c>): when (unix seconds), who (0: the console), what, to whom.</summary>
internal sealed record AuditRecord(long At, long ActorId, string Action, long? UserId, string? Detail = null);

/// <summary>
/// The Session module's SQL. Reads open their own pooled connection; every write is a unit of the Kernel's
/// group-commit writer, so checks and inserts of one unit (e.g. "is this the first account?") are serialized with
/// every other write. Plain SQL that PostgreSQL also speaks.
/// </summary>
internal sealed class SessionStore(SqliteDatabase database, StorageWriter writer, IMediaAttachments media)
{
    internal const string UserColumns = "id, username, display_name, bio, is_admin, is_blocked, created_at, password_hash, photo, is_bot, " +
        "temporary_password_expires_at";
    private const int UserColumnCount = 11;
    private const string AbleAdmins = "SELECT id FROM session_users WHERE is_admin = 1 AND is_blocked = 0 AND is_bot = 0 AND username <> ''";
    private const string AuthorizationColumns = "id, user_id, device_key, device_name, platform, client_address, created_at, last_active_at";

    public byte[]? DeviceKeyOf(long userId, long authorizationId)
    {
        using var connection = database.Open();
        using var command = Command(connection, "SELECT device_key FROM session_authorizations WHERE id = @id AND user_id = @user",
            ("@id", authorizationId), ("@user", userId));
        return command.ExecuteScalar() as byte[];
    }

    /// <summary>Which of <paramref name="deviceKeys"/> have an authorization, in order.</summary>
    public bool[] AreSignedIn(byte[][] deviceKeys)
    {
        const int PerQuery = 500;
        var signedIn = new bool[deviceKeys.Length];
        using var connection = database.Open();
        for (var start = 0; start < deviceKeys.Length; start += PerQuery)
        {
            var count = Math.Min(PerQuery, deviceKeys.Length - start);
            using var command = connection.CreateCommand();
            var names = new string[count];
            for (var i = 0; i < count; i++)
            {
                names[i] = "@k" + i;
                command.Parameters.AddWithValue(names[i], deviceKeys[start + i]);
            }

            command.CommandText = $"SELECT device_key FROM session_authorizations WHERE device_key IN ({string.Join(", ", names)})";
            var found = new HashSet<string>();
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    found.Add(Convert.ToHexString((byte[])reader.GetValue(0)));
                }
            }

            for (var i = 0; i < count; i++)
            {
                signedIn[start + i] = found.Contains(Convert.ToHexString(deviceKeys[start + i]));
            }
        }

        return signedIn;
    }

    public (long AuthorizationId, long UserId, bool PasswordChangeRequired)? FindAuthorization(byte[] deviceKey)
    {
        using var connection = database.Open();
        using var command = Command(connection,
            "SELECT id, user_id, password_change_required FROM session_authorizations WHERE device_key = @key", ("@key", deviceKey));
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2) != 0) : null;
    }

    public UserRecord? FindUserByUsername(string usernameKey) =>
        QueryUsers($"SELECT {UserColumns} FROM session_users WHERE username_key = @key", ("@key", usernameKey)).FirstOrDefault();

    // Once true, for good: an account's row stays when it is deleted ("Deleted Account").
    private volatile bool _hasUsers;

    /// <summary>Whether any account was ever made (read once it is true: anyone may ask, through help.getConfig).</summary>
    public bool HasUsers()
    {
        if (_hasUsers)
        {
            return true;
        }

        using var connection = database.Open();
        using var command = Command(connection, "SELECT 1 FROM session_users LIMIT 1");
        return _hasUsers = command.ExecuteScalar() is not null;
    }

    public UserRecord? GetUser(long id) =>
        QueryUsers($"SELECT {UserColumns} FROM session_users WHERE id = @id", ("@id", id)).FirstOrDefault();

    public List<UserRecord> GetUsers(IReadOnlyCollection<long> ids)
    {
        var parameters = ids.Distinct().Select((id, i) => ($"@id{i}", (object)id)).ToArray();
        return QueryUsers(
            $"SELECT {UserColumns} FROM session_users WHERE id IN ({string.Join(", ", parameters.Select(p => p.Item1))}) ORDER BY id",
            parameters);
    }

    /// <summary>How many of a query's words <see cref="NameCandidates"/> probes at most: the cost of a query is bounded by
    /// this, not by its length (a 64-character query can have 32 one-letter words).</summary>
    public const int ProbedWords = 3;

    /// <summary>
    /// Candidates of a name search: accounts a search may find (<see cref="Findable"/>) matching one word of
    /// <paramref name="words"/> — a word of their display name starts with it (a range of
    /// <c>session_user_name_words</c>' primary key) or their username does (a range of <c>username_key</c>) — among the
    /// first <paramref name="limit"/> rows of each range, and as many whose username starts with
    /// <paramref name="usernamePrefix"/> and as many whose folded username starts with its fold (a look-alike). Every match of a query matches each of its words, so one word's accounts are
    /// enough. Of the first <see cref="ProbedWords"/> words in the order given, the first whose ranges are not cut by the
    /// limit is read (all its accounts are then here), else the one whose ranges hold the fewest rows up to the limit;
    /// which, the covering indexes alone tell (<see cref="WordCountSql"/>, <see cref="UsernameCountSql"/>), and only the
    /// chosen word's ranges are read with their accounts. The unfindable rows count too, so that no pile of them is
    /// walked. Candidates only: <see cref="NameRows"/> tells who they are.
    /// </summary>
    public List<long> NameCandidates(IEnumerable<string> words, string? usernamePrefix, int limit, bool includeBlocked)
    {
        using var connection = database.Open();
        SqliteCommand Statement(string sql, string from, string to) =>
            Command(connection, sql, ("@from", from), ("@to", to), ("@limit", limit), ("@blocked", includeBlocked));

        int Count(string sql, string from, string to)
        {
            using var command = Statement(sql, from, to);
            return Convert.ToInt32(command.ExecuteScalar());
        }

        // The findable accounts among the range's first rows, and whether those rows were all of it.
        (List<long> Ids, bool Cut) Range(string sql, string from, string to)
        {
            using var command = Statement(sql, from, to);
            using var reader = command.ExecuteReader();
            var (ids, rows) = (new List<long>(), 0);
            while (reader.Read())
            {
                rows++;
                if (reader.GetBoolean(1))
                {
                    ids.Add(reader.GetInt64(0));
                }
            }

            return (ids, rows >= limit);
        }

        // Usernames are [a-z0-9_] once lower-cased, all below '~' (a deleted account's key is '~' and its id, above them).
        static bool CanStartAUsername(string word) => word.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_');

        var probed = words.Take(ProbedWords).ToList();
        // One word needs no choosing: its read is the only one.
        var chosen = probed.Count == 1 ? probed[0] : null;
        var fewest = int.MaxValue;
        foreach (var word in probed.Count > 1 ? probed : [])
        {
            var names = Count(WordCountSql, word, word + "\U0010FFFF");
            var usernames = CanStartAUsername(word) ? Count(UsernameCountSql, word, word + "~") : 0;
            // A word whose ranges are not cut has every match: it is taken. Only cut words are compared.
            if (names < limit && usernames < limit)
            {
                chosen = word;
                break;
            }

            if (names + usernames < fewest)
            {
                (chosen, fewest) = (word, names + usernames);
            }
        }

        var candidates = new List<long>();
        var usernamesRead = false;
        if (chosen is not null)
        {
            candidates.AddRange(Range(WordRangeSql, chosen, chosen + "\U0010FFFF").Ids);
            if (CanStartAUsername(chosen))
            {
                var byUsername = Range(UsernameRangeSql, chosen, chosen + "~");
                candidates.AddRange(byUsername.Ids);
                // The query as typed is that range, or within it and the range read whole ("jan" and "jan_s").
                usernamesRead = usernamePrefix is not null
                    && (usernamePrefix == chosen || (usernamePrefix.StartsWith(chosen, StringComparison.Ordinal) && !byUsername.Cut));
            }
        }

        if (usernamePrefix is not null && !usernamesRead)
        {
            candidates.AddRange(Range(UsernameRangeSql, usernamePrefix, usernamePrefix + "~").Ids);
        }

        // A look-alike of a username ("AIice", "a1ice" for alice) finds it by the folded key, ranked after the exact
        // matches (NameQuery.Rank); a query ending in 'r' reads the range of its "m" too ("bar" finds bam by "barn").
        // A query with no letter the fold reads or writes ("zed") has only its exact matches.
        if (usernamePrefix is not null && usernamePrefix.AsSpan().IndexOfAny(Rules.UsernameFoldLetters) >= 0)
        {
            foreach (var fold in Rules.UsernameFoldStarts(Rules.UsernameFold(usernamePrefix)))
            {
                candidates.AddRange(Range(UsernameFoldRangeSql, fold, fold + "~").Ids);
            }
        }

        return candidates;
    }

    /// <summary>How many rows of a word's range of <c>session_user_name_words</c> there are, up to <c>@limit</c>: the
    /// covering index alone.</summary>
    public const string WordCountSql =
        "SELECT count(*) FROM (SELECT 1 FROM session_user_name_words WHERE word >= @from AND word < @to LIMIT @limit)";

    /// <summary>How many usernames of a range there are, up to <c>@limit</c>: the index alone.</summary>
    public const string UsernameCountSql =
        "SELECT count(*) FROM (SELECT 1 FROM session_users WHERE username_key >= @from AND username_key < @to LIMIT @limit)";

    /// <summary>Who a name search may find, for the statements' <c>u</c>: people and Bot API bots, not deleted, and not
    /// blocked unless <c>@blocked</c> (a group's members are found blocked or not). Applied to the rows a range's read
    /// took, not before its LIMIT: webhooks' posters (<c>hook_…_bot</c>, never deleted) and the blocked can pile up in a
    /// range, and filtering them before the LIMIT would walk all of them on every keystroke.</summary>
    private const string Findable =
        "u.username <> '' AND (u.is_bot = 0 OR u.id IN (SELECT user_id FROM session_bots)) AND (@blocked = 1 OR u.is_blocked = 0)";

    /// <summary>The statement reading one word's range of <c>session_user_name_words</c>: at most <c>@limit</c> rows of
    /// the covering index, each account looked up by its key; each row says whether it is <see cref="Findable"/>.</summary>
    public const string WordRangeSql =
        "SELECT u.id, " + Findable + " FROM (SELECT user_id FROM session_user_name_words WHERE word >= @from AND word < @to " +
        "ORDER BY word, user_id LIMIT @limit) w CROSS JOIN session_users u ON u.id = w.user_id";

    /// <summary>The statement reading one range of usernames: at most <c>@limit</c> accounts, each saying whether it is
    /// <see cref="Findable"/>.</summary>
    public const string UsernameRangeSql =
        "SELECT u.id, " + Findable + " FROM (SELECT id, username, is_bot, is_blocked FROM session_users " +
        "WHERE username_key >= @from AND username_key < @to ORDER BY username_key LIMIT @limit) u";

    /// <summary>The statement reading one range of folded usernames (<see cref="Rules.UsernameFold"/>), as
    /// <see cref="UsernameRangeSql"/> reads the keys: at most <c>@limit</c> accounts of the fold's unique index.</summary>
    public const string UsernameFoldRangeSql =
        "SELECT u.id, " + Findable + " FROM (SELECT id, username, is_bot, is_blocked FROM session_users " +
        "WHERE username_fold >= @from AND username_fold < @to ORDER BY username_fold LIMIT @limit) u";

    /// <summary>
    /// The names of those of <paramref name="ids"/> a name search may find: people and Bot API bots, not deleted (a
    /// key lookup each). Webhooks' posters and deleted accounts are left out.
    /// </summary>
    public List<(long Id, string DisplayName, string UsernameKey, bool Blocked)> NameRows(IReadOnlyCollection<long> ids)
    {
        using var connection = database.Open();
        using var command = Command(connection, NameRowsSql, ("@ids", System.Text.Json.JsonSerializer.Serialize(ids)));
        using var reader = command.ExecuteReader();
        var rows = new List<(long, string, string, bool)>();
        while (reader.Read())
        {
            rows.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetBoolean(3)));
        }

        return rows;
    }

    /// <summary>The statement of <see cref="NameRows"/>.</summary>
    public const string NameRowsSql =
        "SELECT id, display_name, username_key, is_blocked FROM session_users WHERE id IN (SELECT value FROM json_each(@ids)) " +
        "AND username <> '' AND (is_bot = 0 OR id IN (SELECT user_id FROM session_bots))";

    /// <summary>
    /// Writes the account's name index in <paramref name="scope"/>'s unit: its display name's folded words in
    /// <c>session_user_name_words</c> and their joined form in <c>display_name_key</c>; a null name (a deleted account,
    /// a webhook's poster) leaves no words and the key ''. Every write of a display name calls this in its unit.
    /// </summary>
    public static void IndexName(WriteScope scope, long userId, string? displayName)
    {
        var words = displayName is null ? [] : NameKey.Words(displayName);
        scope.Execute("DELETE FROM session_user_name_words WHERE user_id = @user", ("@user", userId));
        foreach (var word in words.Distinct(StringComparer.Ordinal))
        {
            scope.Execute("INSERT INTO session_user_name_words (word, user_id) VALUES (@word, @user)", ("@word", word), ("@user", userId));
        }

        scope.Execute("UPDATE session_users SET display_name_key = @key WHERE id = @id", ("@key", string.Join(' ', words)), ("@id", userId));
    }

    /// <summary>Writes the name index (<see cref="IndexName"/>) of up to <paramref name="batch"/> accounts from before it
    /// (<c>display_name_key</c> null); how many.</summary>
    public Task<int> FillNameKeysAsync(int batch) =>
        writer.WriteAsync(scope =>
        {
            // Deleted accounts and webhook posters get no words (as they do when made now): no name of theirs is searched.
            var select = scope.Command(
                "SELECT id, CASE WHEN username = '' OR (is_bot = 1 AND id NOT IN (SELECT user_id FROM session_bots)) THEN NULL ELSE display_name END " +
                "FROM session_users WHERE display_name_key IS NULL LIMIT @limit");
            select.Parameters.AddWithValue("@limit", batch);
            var rows = new List<(long Id, string? Name)>();
            using (var reader = select.ExecuteReader())
            {
                while (reader.Read())
                {
                    rows.Add((reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1)));
                }
            }

            foreach (var (id, name) in rows)
            {
                IndexName(scope, id, name);
            }

            return rows.Count;
        });

    public (List<(UserRecord User, int Devices, bool TwoFactor)> Users, int Total) ListUsers(int offset, int limit)
    {
        using var connection = database.Open();
        using var count = Command(connection, "SELECT count(*) FROM session_users");
        var total = Convert.ToInt32(count.ExecuteScalar());
        using var command = Command(connection,
            $"SELECT {UserColumns}, (SELECT count(*) FROM session_authorizations a WHERE a.user_id = u.id), " +
            "EXISTS (SELECT 1 FROM session_two_factor t WHERE t.user_id = u.id AND t.enabled = 1) FROM session_users u ORDER BY id LIMIT @limit OFFSET @offset",
            ("@limit", limit), ("@offset", offset));
        using var reader = command.ExecuteReader();
        var users = new List<(UserRecord, int, bool)>();
        while (reader.Read())
        {
            users.Add((ReadUser(reader), reader.GetInt32(UserColumnCount), reader.GetInt64(UserColumnCount + 1) != 0));
        }

        return (users, total);
    }

    public List<AuthorizationRecord> ListAuthorizations(long userId)
    {
        using var connection = database.Open();
        using var command = Command(connection,
            $"SELECT {AuthorizationColumns} FROM session_authorizations WHERE user_id = @user ORDER BY id", ("@user", userId));
        using var reader = command.ExecuteReader();
        var authorizations = new List<AuthorizationRecord>();
        while (reader.Read())
        {
            authorizations.Add(new AuthorizationRecord(
                reader.GetInt64(0), reader.GetInt64(1), (byte[])reader.GetValue(2), reader.GetString(3), reader.GetString(4),
                reader.GetString(5), reader.GetInt64(6), reader.GetInt64(7)));
        }

        return authorizations;
    }

    /// <summary>Creates the account; the first one becomes admin. Username and invite are checked in the same unit
    /// as the insert, so two concurrent registrations cannot both take a name or the last use of an invite.</summary>
    public Task<(long Id, bool IsAdmin)> InsertUserAsync(NewUser user, RegistrationMode mode, long now) =>
        writer.WriteAsync(scope =>
        {
            var isFirst = Convert.ToInt64(scope.Scalar("SELECT count(*) FROM session_users")) == 0;
            if (UsernameOwner(scope, user.UsernameKey, Rules.UsernameFold(user.Username)) is not null)
            {
                throw MessengerError.BadRequest(SessionErrorNames.UsernameOccupied);
            }

            // The first account may always register: it is the admin who opens the server to others.
            if (mode == RegistrationMode.Closed && !isFirst)
            {
                throw MessengerError.Forbidden(SessionErrorNames.RegistrationClosed);
            }

            if (mode == RegistrationMode.InviteOnly && !isFirst)
            {
                ConsumeInvite(scope, user.InviteCode, now);
            }

            var id = Convert.ToInt64(scope.Scalar("INSERT INTO session_users (username, username_key, username_fold, password_hash, display_name, display_name_key, bio, is_admin, is_blocked, created_at) " +
                "VALUES (@username, @key, @fold, @hash, @name, '', '', @admin, 0, @now) RETURNING id",
                ("@username", user.Username), ("@key", user.UsernameKey), ("@fold", Rules.UsernameFold(user.Username)), ("@hash", user.PasswordHash),
                ("@name", user.DisplayName), ("@admin", isFirst), ("@now", now)));
            IndexName(scope, id, user.DisplayName);
            return (id, isFirst);
        });

    /// <summary>Why <paramref name="code"/> cannot register an account now (<c>INVITE_CODE_INVALID</c>,
    /// <c>INVITE_CODE_EXPIRED</c>), or null if it can: the read-only check before anything about the username is told;
    /// the insert's unit checks and uses it again.</summary>
    public string? InviteProblem(string? code, long now)
    {
        using var connection = database.Open();
        using var command = Command(connection, "SELECT uses_left, expires_at FROM session_invites WHERE code = @code", ("@code", code ?? ""));
        using var reader = command.ExecuteReader();
        if (!reader.Read() || reader.GetInt32(0) <= 0)
        {
            return SessionErrorNames.InviteCodeInvalid;
        }

        return !reader.IsDBNull(1) && reader.GetInt64(1) <= now ? SessionErrorNames.InviteCodeExpired : null;
    }

    private static void ConsumeInvite(WriteScope scope, string? code, long now)
    {
        var command = scope.Command("SELECT uses_left, expires_at FROM session_invites WHERE code = @code");
        command.Parameters.AddWithValue("@code", code ?? "");
        int usesLeft;
        long? expiresAt;
        using (var reader = command.ExecuteReader())
        {
            if (!reader.Read())
            {
                throw MessengerError.BadRequest(SessionErrorNames.InviteCodeInvalid);
            }

            usesLeft = reader.GetInt32(0);
            expiresAt = reader.IsDBNull(1) ? null : reader.GetInt64(1);
        }

        if (usesLeft <= 0)
        {
            throw MessengerError.BadRequest(SessionErrorNames.InviteCodeInvalid);
        }

        if (expiresAt is { } expiry && expiry <= now)
        {
            throw MessengerError.BadRequest(SessionErrorNames.InviteCodeExpired);
        }

        scope.Execute("UPDATE session_invites SET uses_left = uses_left - 1 WHERE code = @code", ("@code", code!));
    }

    /// <summary>Binds a device key to an account in <paramref name="scope"/>'s unit and answers the new authorization's id.
    /// A key that already has an authorization is refused.</summary>
    /// <param name="passwordHash">For a sign-in by password, the hash it was checked against: a password changed or
    /// reset, or the account deleted, while the check waited for a hashing slot is 400 <c>CREDENTIALS_INVALID</c>, as
    /// the sign-in would have been a moment later.</param>
    public static long InsertAuthorization(
        WriteScope scope, long userId, byte[] deviceKey, string deviceName, string platform, string clientAddress, long now,
        string? passwordHash, bool passwordChangeRequired)
    {
        if (scope.Scalar("SELECT 1 FROM session_authorizations WHERE device_key = @key", ("@key", deviceKey)) is not null)
        {
            throw MessengerError.BadRequest(SessionErrorNames.AlreadySignedIn);
        }

        if (scope.Scalar("SELECT is_blocked FROM session_users WHERE id = @id", ("@id", userId)) is not long blocked)
        {
            throw MessengerError.BadRequest(SessionErrorNames.UserIdInvalid);
        }

        if (passwordHash is not null && scope.Scalar(
                "SELECT 1 FROM session_users WHERE id = @id AND password_hash = @hash AND password_hash <> ''",
                ("@id", userId), ("@hash", passwordHash)) is null)
        {
            throw MessengerError.BadRequest(SessionErrorNames.CredentialsInvalid);
        }

        if (blocked != 0)
        {
            throw MessengerError.Forbidden(SessionErrorNames.UserBlocked);
        }

        var id = Convert.ToInt64(scope.Scalar("INSERT INTO session_authorizations " +
            "(user_id, device_key, device_name, platform, client_address, created_at, last_active_at, password_change_required) " +
            "VALUES (@user, @key, @name, @platform, @address, @now, @now, @restricted) RETURNING id",
            ("@user", userId), ("@key", deviceKey), ("@name", deviceName), ("@platform", platform),
            ("@address", clientAddress), ("@now", now), ("@restricted", passwordChangeRequired)));
        if (passwordHash is not null)
        {
            // A sign-in by password makes the device known to the account (KnownDevices), in the unit that binds it.
            scope.Execute(
                "INSERT INTO session_known_devices (user_id, device_key_hash, signed_in_at) VALUES (@user, @hash, @now) " +
                "ON CONFLICT (user_id, device_key_hash) DO UPDATE SET signed_in_at = max(signed_in_at, excluded.signed_in_at)",
                ("@user", userId), ("@hash", KnownDevices.Hash(deviceKey)), ("@now", now));
        }

        return id;
    }

    /// <summary>Whether the account has a device besides <paramref name="authorizationId"/>, as the unit sees it.</summary>
    public static bool HasOtherAuthorizations(WriteScope scope, long userId, long authorizationId) =>
        scope.Scalar("SELECT 1 FROM session_authorizations WHERE user_id = @user AND id <> @id LIMIT 1", ("@user", userId), ("@id", authorizationId)) is not null;

    /// <summary>Deletes one authorization of the account; null when the account has none with that id.</summary>
    public Task<RevokedDevice?> DeleteAuthorizationAsync(long userId, long authorizationId) =>
        writer.WriteAsync(scope =>
            DeleteAuthorizations(scope, "user_id = @user AND id = @id", ("@user", userId), ("@id", authorizationId)).FirstOrDefault());

    public Task<List<RevokedDevice>> DeleteOtherAuthorizationsAsync(long userId, long keepAuthorizationId) =>
        writer.WriteAsync(scope =>
            DeleteAuthorizations(scope, "user_id = @user AND id <> @keep", ("@user", userId), ("@keep", keepAuthorizationId)));

    /// <summary>Sets the new password hash and signs out every other device, in one transaction. An admin's temporary
    /// password signs in only until <paramref name="temporaryUntil"/> (unix seconds); a password the user chose (null) is
    /// not temporary, and the device kept is no longer restricted.</summary>
    public Task<List<RevokedDevice>> ChangePasswordAsync(
        long userId, string passwordHash, long keepAuthorizationId, AuditRecord? audit = null, long? temporaryUntil = null) =>
        writer.WriteAsync(scope =>
        {
            scope.Execute("UPDATE session_users SET password_hash = @hash, temporary_password_expires_at = @until WHERE id = @id",
                ("@hash", passwordHash), ("@until", (object?)temporaryUntil ?? DBNull.Value), ("@id", userId));
            if (temporaryUntil is null)
            {
                scope.Execute("UPDATE session_authorizations SET password_change_required = 0 WHERE user_id = @user AND password_change_required = 1",
                    ("@user", userId));
            }

            Audit(scope, audit);
            return DeleteAuthorizations(scope, "user_id = @user AND id <> @keep", ("@user", userId), ("@keep", keepAuthorizationId));
        });

    /// <summary>Blocks (signing out every device) or unblocks; false when there is no such account. The last admin who
    /// can administer the server is refused, as in <see cref="DeleteAccountAsync"/>.</summary>
    public Task<(bool Found, List<RevokedDevice> Revoked)> SetBlockedAsync(long userId, bool blocked, AuditRecord audit) =>
        writer.WriteAsync(scope =>
        {
            if (blocked)
            {
                RefuseLastAdmin(scope, userId);
            }

            if (scope.Execute("UPDATE session_users SET is_blocked = @blocked WHERE id = @id", ("@blocked", blocked), ("@id", userId)) == 0)
            {
                return (false, new List<RevokedDevice>());
            }

            Audit(scope, audit);
            return (true, blocked ? DeleteAuthorizations(scope, "user_id = @user", ("@user", userId)) : new List<RevokedDevice>());
        });

    /// <summary>
    /// Deletes the account, keeping its row so ids in others' history stay valid: the username is freed (its key moves
    /// outside the username alphabet, where no name and no search range can meet it), the profile, password, two-step
    /// secret and recovery codes go, and every device is signed out. The server's only admin is refused, checked in the
    /// unit so two admins deleting at once cannot both pass.
    /// </summary>
    public Task<List<RevokedDevice>> DeleteAccountAsync(long userId) =>
        writer.WriteAsync(scope =>
        {
            RefuseLastAdmin(scope, userId);
            scope.Execute(
                "UPDATE session_users SET username = '', username_key = '~' || id, username_fold = NULL, password_hash = '', display_name = @name, " +
                "bio = '', is_admin = 0 WHERE id = @id",
                ("@name", DeletedDisplayName), ("@id", userId));
            IndexName(scope, userId, displayName: null);
            SetPhoto(scope, media, userId, prepared: null);
            scope.Execute("DELETE FROM session_two_factor WHERE user_id = @user", ("@user", userId));
            scope.Execute(TwoFactorStore.DeleteRecoveryCodes, ("@user", userId));
            scope.Execute("DELETE FROM session_bots WHERE user_id = @user", ("@user", userId)); // a bot's token dies with it
            scope.Execute("DELETE FROM session_authorization_ttl WHERE user_id = @user", ("@user", userId));
            scope.Execute("DELETE FROM session_known_devices WHERE user_id = @user", ("@user", userId));
            scope.Execute("DELETE FROM session_privacy WHERE user_id = @user", ("@user", userId));
            return DeleteAuthorizations(scope, "user_id = @user", ("@user", userId));
        });

    public const string DeletedDisplayName = "Deleted Account";

    /// <summary>Makes the account an admin or not in <paramref name="scope"/>'s unit and answers whether that was a change;
    /// 400 <c>USER_ID_INVALID</c> when there is no such account (or it was deleted). The last admin is refused, as in
    /// <see cref="DeleteAccountAsync"/>, and so is a bot made admin (400 <c>USER_IS_BOT</c>).</summary>
    public static bool SetAdmin(WriteScope scope, long userId, bool isAdmin, AuditRecord audit)
    {
        if (scope.Scalar("SELECT is_admin FROM session_users WHERE id = @id AND username <> ''", ("@id", userId)) is not long current)
        {
            throw MessengerError.BadRequest(SessionErrorNames.UserIdInvalid);
        }

        if (isAdmin && scope.Scalar("SELECT is_bot FROM session_users WHERE id = @id", ("@id", userId)) is 1L)
        {
            throw MessengerError.BadRequest(SessionErrorNames.UserIsBot);
        }

        if (!isAdmin)
        {
            RefuseLastAdmin(scope, userId);
        }

        scope.Execute("UPDATE session_users SET is_admin = @admin WHERE id = @id", ("@admin", isAdmin), ("@id", userId));
        Audit(scope, audit);
        return (current == 1) != isAdmin;
    }

    /// <summary>The admins (not deleted) as <paramref name="scope"/>'s transaction sees them.</summary>
    public static List<long> AdminIds(WriteScope scope) =>
        scope.Command("SELECT id FROM session_users WHERE is_admin = 1 AND username <> ''").ReadInt64Column();

    /// <summary>403 <c>LAST_ADMIN</c> when <paramref name="userId"/> is about to stop administering the server (demoted,
    /// blocked, deleted) and is the only admin who can: a blocked admin cannot sign in and a bot has no password, so
    /// neither counts.</summary>
    private static void RefuseLastAdmin(WriteScope scope, long userId)
    {
        if (scope.Scalar(AbleAdmins + " AND id = @id", ("@id", userId)) is not null
            && Convert.ToInt64(scope.Scalar("SELECT count(*) FROM (" + AbleAdmins + ")")) == 1)
        {
            throw MessengerError.Forbidden(SessionErrorNames.LastAdmin);
        }
    }

    public List<long> DeletedUserIds()
    {
        using var connection = database.Open();
        using var command = Command(connection, "SELECT id FROM session_users WHERE username = '' ORDER BY id");
        return command.ReadInt64Column();
    }

    // ---- privacy ----

    /// <summary>Every account's privacy settings that differ from the defaults (only those have a row).</summary>
    public Dictionary<long, PrivacySettings> AllPrivacy()
    {
        using var connection = database.Open();
        using var command = Command(connection, "SELECT user_id, last_seen, group_invites, calls FROM session_privacy");
        using var reader = command.ExecuteReader();
        var all = new Dictionary<long, PrivacySettings>();
        while (reader.Read())
        {
            all[reader.GetInt64(0)] = new PrivacySettings((PrivacyRule)reader.GetInt32(1), (PrivacyRule)reader.GetInt32(2), (PrivacyRule)reader.GetInt32(3));
        }

        return all;
    }

    public Task SetPrivacyAsync(long userId, PrivacySettings settings) =>
        writer.WriteAsync(scope => scope.Execute(
            "INSERT OR REPLACE INTO session_privacy (user_id, last_seen, group_invites, calls) VALUES (@user, @seen, @invites, @calls)",
            ("@user", userId), ("@seen", (int)settings.LastSeen), ("@invites", (int)settings.GroupInvites), ("@calls", (int)settings.Calls)));

    // ---- signing out unused devices ----

    /// <summary>The account's choice of <c>account.setAuthorizationTTL</c>, or null if it never chose.</summary>
    public int? AuthorizationTtlDays(long userId)
    {
        using var connection = database.Open();
        using var command = Command(connection, "SELECT days FROM session_authorization_ttl WHERE user_id = @user", ("@user", userId));
        return command.ExecuteScalar() is long days ? (int)days : null;
    }

    public Task SetAuthorizationTtlAsync(long userId, int days) =>
        writer.WriteAsync(scope => scope.Execute(
            "INSERT OR REPLACE INTO session_authorization_ttl (user_id, days) VALUES (@user, @days)", ("@user", userId), ("@days", days)));

    /// <summary>Authorizations (of every account, or of <paramref name="userId"/>'s) whose written last-active time is
    /// older than their account's limit: <paramref name="defaultDays"/> for accounts that never chose one. One scan of
    /// the authorizations, for a pass that runs every few minutes at most.</summary>
    public List<UnusedAuthorization> UnusedAuthorizations(long nowMs, int defaultDays, long? userId = null)
    {
        using var connection = database.Open();
        using var command = Command(connection,
            "SELECT a.id, a.user_id, a.device_key, coalesce(t.days, @default) FROM session_authorizations a " +
            "LEFT JOIN session_authorization_ttl t ON t.user_id = a.user_id " +
            "WHERE a.last_active_at < @now - coalesce(t.days, @default) * 86400000" + (userId is null ? "" : " AND a.user_id = @user") +
            " ORDER BY a.id",
            ("@default", defaultDays), ("@now", nowMs), ("@user", userId ?? 0));
        using var reader = command.ExecuteReader();
        var unused = new List<UnusedAuthorization>();
        while (reader.Read())
        {
            var days = reader.GetInt32(3);
            unused.Add(new UnusedAuthorization(reader.GetInt64(0), reader.GetInt64(1), (byte[])reader.GetValue(2), days, nowMs - days * 86_400_000L));
        }

        return unused;
    }

    /// <summary>Deletes those of <paramref name="unused"/> still unused in the unit: written last-active time still before
    /// their cutoff, and <paramref name="usedSince"/> (the unwritten times) not saying otherwise.</summary>
    public Task<List<RevokedDevice>> DeleteUnusedAuthorizationsAsync(IReadOnlyList<UnusedAuthorization> unused, Func<UnusedAuthorization, bool> usedSince) =>
        writer.WriteAsync(scope =>
        {
            var revoked = new List<RevokedDevice>();
            foreach (var authorization in unused)
            {
                if (!usedSince(authorization) && scope.Execute(
                        "DELETE FROM session_authorizations WHERE id = @id AND last_active_at < @cutoff",
                        ("@id", authorization.Id), ("@cutoff", authorization.CutoffMs)) == 1)
                {
                    revoked.Add(new RevokedDevice(authorization.Id, authorization.DeviceKey));
                }
            }

            return revoked;
        });

    // ---- known devices ----

    /// <summary>The id of the account whose username key is <paramref name="usernameKey"/>, if the device whose key hashes
    /// to <paramref name="deviceKeyHash"/> signed in to it by password at or after <paramref name="sinceMs"/>.</summary>
    public long? KnownDeviceOwner(string usernameKey, byte[] deviceKeyHash, long sinceMs)
    {
        using var connection = database.Open();
        using var command = Command(connection,
            "SELECT k.user_id FROM session_known_devices k JOIN session_users u ON u.id = k.user_id " +
            "WHERE u.username_key = @key AND k.device_key_hash = @hash AND k.signed_in_at >= @since",
            ("@key", usernameKey), ("@hash", deviceKeyHash), ("@since", sinceMs));
        return command.ExecuteScalar() is long userId ? userId : null;
    }

    public bool IsKnownDevice(long userId, byte[] deviceKeyHash, long sinceMs)
    {
        using var connection = database.Open();
        using var command = Command(connection,
            "SELECT 1 FROM session_known_devices WHERE user_id = @user AND device_key_hash = @hash AND signed_in_at >= @since",
            ("@user", userId), ("@hash", deviceKeyHash), ("@since", sinceMs));
        return command.ExecuteScalar() is not null;
    }

    /// <summary>The pass row of <see cref="BackfillKnownDevicesAsync"/>: present until it ran (migration KnownDevicesBackfill).</summary>
    public const string KnownDevicesBackfillPass = "known_devices_backfill";

    /// <summary>
    /// Once, after the upgrade that brought known devices in: every device signed in then becomes known to its account, as
    /// of its last activity. The pass's row in <c>session_passes</c> is deleted in the same unit, so the devices are
    /// inserted exactly once, even across a crash; a device known already keeps its row. Answers how many were inserted,
    /// or null when the pass had run before.
    /// </summary>
    public Task<int?> BackfillKnownDevicesAsync() =>
        writer.WriteAsync(scope =>
        {
            if (scope.Execute("DELETE FROM session_passes WHERE name = @name", ("@name", KnownDevicesBackfillPass)) == 0)
            {
                return (int?)null;
            }

            var devices = new List<(long UserId, byte[] DeviceKey, long LastActiveAt)>();
            using (var reader = scope.Command("SELECT user_id, device_key, last_active_at FROM session_authorizations").ExecuteReader())
            {
                while (reader.Read())
                {
                    devices.Add((reader.GetInt64(0), (byte[])reader.GetValue(1), reader.GetInt64(2)));
                }
            }

            var inserted = 0;
            foreach (var (userId, deviceKey, lastActiveAt) in devices)
            {
                inserted += scope.Execute(
                    "INSERT INTO session_known_devices (user_id, device_key_hash, signed_in_at) VALUES (@user, @hash, @at) " +
                    "ON CONFLICT (user_id, device_key_hash) DO NOTHING",
                    ("@user", userId), ("@hash", KnownDevices.Hash(deviceKey)), ("@at", lastActiveAt));
            }

            return (int?)inserted;
        });

    /// <summary>Forgets the devices whose last sign-in by password was before <paramref name="beforeMs"/>.</summary>
    public Task<int> ForgetKnownDevicesAsync(long beforeMs) =>
        writer.WriteAsync(scope => scope.Execute("DELETE FROM session_known_devices WHERE signed_in_at < @before", ("@before", beforeMs)));

    /// <summary>Replaces <paramref name="oldHash"/> by a new hash of the same password (a rehash at a new cost); a
    /// password changed meanwhile is left alone.</summary>
    public Task RehashPasswordAsync(long userId, string oldHash, string passwordHash) =>
        writer.WriteAsync(scope =>
            scope.Execute("UPDATE session_users SET password_hash = @hash WHERE id = @id AND password_hash = @old",
                ("@hash", passwordHash), ("@id", userId), ("@old", oldHash)));

    /// <summary>Sets (or, null, removes) the user's profile photo inside <paramref name="scope"/>'s unit: the previous
    /// photo's media reference is released, the new one attached, in the same transaction as the row. A photo without
    /// its thumbnail (the decoder was busy) moves the thumbnails' pass back to the row: the caller asks for a pass.</summary>
    public static MessageMedia? SetPhoto(WriteScope scope, IMediaAttachments media, long userId, PreparedMedia? prepared)
    {
        var photo = media.Replace(scope, MediaHolders.ProfilePhotoOf(userId), prepared, userId);
        scope.Execute("UPDATE session_users SET photo = @photo WHERE id = @id",
            ("@photo", photo is null ? DBNull.Value : WireSerializer.Serialize(photo)), ("@id", userId));
        if (DescriptorThumbnailPass.LacksThumbnail(photo))
        {
            Users.ProfilePhotoThumbnails.Rewind(scope, userId);
        }

        return photo;
    }

    /// <summary>Renames the account; the name's key is checked in the same unit as the update, as at registration.</summary>
    public Task UpdateUsernameAsync(long userId, string username) =>
        writer.WriteAsync(scope =>
        {
            var key = Rules.UsernameKey(username);
            var fold = Rules.UsernameFold(username);
            if (UsernameOwners(scope, key, fold).Any(owner => owner != userId))
            {
                throw MessengerError.BadRequest(SessionErrorNames.UsernameOccupied);
            }

            if (scope.Scalar("SELECT username FROM session_users WHERE id = @id", ("@id", userId)) as string == username)
            {
                throw MessengerError.BadRequest(SessionErrorNames.UsernameNotModified);
            }

            scope.Execute("UPDATE session_users SET username = @name, username_key = @key, username_fold = @fold WHERE id = @id",
                ("@name", username), ("@key", key), ("@fold", fold), ("@id", userId));
        });

    /// <summary>The account that holds the username: its key (<see cref="Rules.UsernameKey"/>), or a look-alike of it
    /// (<see cref="Rules.UsernameFold"/>); null when it is free. Read in the writer unit that then takes the name.</summary>
    internal static long? UsernameOwner(WriteScope scope, string key, string fold) =>
        UsernameOwners(scope, key, fold) is [var id, ..] ? id : null;

    /// <remarks>The accounts without a stored fold count too: look-alikes that already stood side by side when the fold
    /// came in (migration UsernameFold) left only the older one holding it, and once it renames or is deleted the later
    /// ones' names must still block the fold. They are few (nobody gets there since), read by their partial index
    /// (<c>IX_session_users_unfolded</c>) and folded here.</remarks>
    private static List<long> UsernameOwners(WriteScope scope, string key, string fold)
    {
        using var command = scope.Command("SELECT id FROM session_users WHERE username_key = @key UNION SELECT id FROM session_users WHERE username_fold = @fold");
        command.Parameters.AddWithValue("@key", key);
        command.Parameters.AddWithValue("@fold", fold);
        var owners = command.ReadInt64Column();
        using var reader = scope.Command(UnfoldedUsernamesSql).ExecuteReader();
        while (reader.Read())
        {
            if (Rules.UsernameFold(reader.GetString(1)) == fold && !owners.Contains(reader.GetInt64(0)))
            {
                owners.Add(reader.GetInt64(0));
            }
        }

        return owners;
    }

    /// <summary>The live accounts without a stored fold, by their partial index: without it the planner picks the fold's
    /// index (<c>username_fold IS NULL</c>), which also holds every deleted account.</summary>
    private const string UnfoldedUsernamesSql =
        "SELECT id, username_key FROM session_users INDEXED BY IX_session_users_unfolded WHERE username_fold IS NULL AND username <> ''";

    public Task UpdateProfileAsync(long userId, string displayName, string bio) =>
        writer.WriteAsync(scope =>
        {
            scope.Execute("UPDATE session_users SET display_name = @name, bio = @bio WHERE id = @id", ("@name", displayName), ("@bio", bio), ("@id", userId));
            IndexName(scope, userId, displayName);
        });

    public Task InsertInviteAsync(string code, long createdBy, int uses, long? expiresAt, long now, AuditRecord audit) =>
        writer.WriteAsync(scope =>
        {
            scope.Execute("INSERT INTO session_invites (code, created_by, uses_left, expires_at, created_at) VALUES (@code, @by, @uses, @expires, @now)",
                ("@code", code), ("@by", createdBy), ("@uses", uses), ("@expires", (object?)expiresAt ?? DBNull.Value), ("@now", now));
            Audit(scope, audit);
        });

    // ---- the audit log: admins' actions, each written in the unit of the change it records ----

    /// <summary>Records an action on its own (one with no change of the store's to go with, such as a backup).</summary>
    public Task AuditAsync(AuditRecord audit) => writer.WriteAsync(scope => Audit(scope, audit));

    internal static void Audit(WriteScope scope, AuditRecord? audit)
    {
        if (audit is not null)
        {
            scope.Execute(AuditInsert, ("@at", audit.At), ("@actor", audit.ActorId), ("@action", audit.Action),
                ("@user", (object?)audit.UserId ?? DBNull.Value), ("@detail", (object?)audit.Detail ?? DBNull.Value));
        }
    }

    /// <summary>The statement that records an action (also the <c>reset-password</c> command's, on its own connection).</summary>
    public const string AuditInsert = "INSERT INTO session_audit (at, actor_id, action, user_id, detail) VALUES (@at, @actor, @action, @user, @detail)";

    /// <summary>The audit log, newest first, entries older than <paramref name="offsetId"/> (0: from the newest).</summary>
    public List<AuditEntry> AuditLog(long offsetId, int limit)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, at, actor_id, action, user_id, detail FROM session_audit WHERE id < @offset ORDER BY id DESC LIMIT @limit";
        command.Parameters.AddWithValue("@offset", offsetId > 0 ? offsetId : long.MaxValue);
        command.Parameters.AddWithValue("@limit", limit);
        using var reader = command.ExecuteReader();
        var entries = new List<AuditEntry>();
        while (reader.Read())
        {
            entries.Add(new AuditEntry(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetInt64(4), reader.IsDBNull(5) ? null : reader.GetString(5)));
        }

        return entries;
    }

    /// <summary>Writes the batched "last active" times in one unit.</summary>
    public Task WriteLastActiveAsync(IReadOnlyList<KeyValuePair<long, long>> lastActive) =>
        writer.WriteAsync(scope =>
        {
            foreach (var (authorizationId, at) in lastActive)
            {
                scope.Execute("UPDATE session_authorizations SET last_active_at = @at WHERE id = @id AND last_active_at < @at",
                    ("@at", at), ("@id", authorizationId));
            }
        });

    private static List<RevokedDevice> DeleteAuthorizations(WriteScope scope, string where, params (string Name, object Value)[] parameters)
    {
        var command = scope.Command($"SELECT id, device_key FROM session_authorizations WHERE {where}");
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        var revoked = new List<RevokedDevice>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                revoked.Add(new RevokedDevice(reader.GetInt64(0), (byte[])reader.GetValue(1)));
            }
        }

        if (revoked.Count > 0)
        {
            scope.Execute($"DELETE FROM session_authorizations WHERE {where}", parameters);
        }

        return revoked;
    }

    /// <summary>Accounts that are not deleted: people, and bots (webhooks' and the Bot API's).</summary>
    public (long People, long Bots) CountAccounts() =>
        database.ReadTwoNumbers("SELECT count(*) FILTER (WHERE is_bot = 0), count(*) FILTER (WHERE is_bot = 1) FROM session_users WHERE username <> ''");

    internal List<UserRecord> QueryUsers(string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = database.Open();
        using var command = Command(connection, sql, parameters);
        using var reader = command.ExecuteReader();
        var users = new List<UserRecord>();
        while (reader.Read())
        {
            users.Add(ReadUser(reader));
        }

        return users;
    }

    private static UserRecord ReadUser(SqliteDataReader reader) => new(
        reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
        reader.GetInt64(4) != 0, reader.GetInt64(5) != 0, reader.GetInt64(6), reader.GetString(7),
        reader.IsDBNull(8) ? null : WireSerializer.Deserialize<MessageMedia>((byte[])reader.GetValue(8)), reader.GetInt64(9) != 0,
        reader.IsDBNull(10) ? null : reader.GetInt64(10));

    internal static SqliteCommand Command(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }
}
