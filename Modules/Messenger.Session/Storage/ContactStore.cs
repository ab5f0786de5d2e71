using Messenger.Contracts.Contacts;
using Messenger.Kernel.Storage;

namespace Messenger.Session.Storage;

/// <summary>
/// The contact lists' SQL (<c>session_contacts</c>): reads on connections of their own, and the statements a writer
/// unit of <c>Contacts</c> runs (static, given the unit's scope). An entry is mutual when the reverse row exists.
/// </summary>
internal sealed class ContactStore(SqliteDatabase database)
{
    private const string MutualOf = "EXISTS (SELECT 1 FROM session_contacts r WHERE r.owner_id = c.user_id AND r.user_id = c.owner_id)";

    /// <summary>The owner's contacts, in no particular order.</summary>
    public List<Contact> ContactsOf(long ownerId)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT c.user_id, c.name, {MutualOf} FROM session_contacts c WHERE c.owner_id = @owner";
        command.Parameters.AddWithValue("@owner", ownerId);
        using var reader = command.ExecuteReader();
        var contacts = new List<Contact>();
        while (reader.Read())
        {
            contacts.Add(new Contact(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2) != 0));
        }

        return contacts;
    }

    public bool Has(long ownerId, long userId) =>
        database.Exists("SELECT 1 FROM session_contacts WHERE owner_id = @owner AND user_id = @user", ("@owner", ownerId), ("@user", userId));

    public List<long> IdsOf(long ownerId)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT user_id FROM session_contacts WHERE owner_id = @owner";
        command.Parameters.AddWithValue("@owner", ownerId);
        return command.ReadInt64Column();
    }

    // ---- inside a writer unit ----

    /// <summary>Whether <paramref name="userId"/> is someone one may add: a person's account, not deleted.</summary>
    public static bool IsAddable(WriteScope scope, long userId)
    {
        var command = scope.Command("SELECT username, is_bot FROM session_users WHERE id = @id");
        command.Parameters.AddWithValue("@id", userId);
        using var reader = command.ExecuteReader();
        return reader.Read() && reader.GetString(0).Length > 0 && reader.GetInt64(1) == 0;
    }

    /// <summary>The name <paramref name="ownerId"/> gave <paramref name="userId"/>, or null when not a contact.</summary>
    public static string? NameOf(WriteScope scope, long ownerId, long userId) =>
        scope.Scalar("SELECT name FROM session_contacts WHERE owner_id = @owner AND user_id = @user", ("@owner", ownerId), ("@user", userId)) as string;

    public static int Count(WriteScope scope, long ownerId) =>
        Convert.ToInt32(scope.Scalar("SELECT count(*) FROM session_contacts WHERE owner_id = @owner", ("@owner", ownerId)));

    public static void Insert(WriteScope scope, long ownerId, long userId, string name, long nowMs) =>
        scope.Execute("INSERT INTO session_contacts (owner_id, user_id, name, created_at) VALUES (@owner, @user, @name, @now)",
            ("@owner", ownerId), ("@user", userId), ("@name", name), ("@now", nowMs));

    public static void Rename(WriteScope scope, long ownerId, long userId, string name) =>
        scope.Execute("UPDATE session_contacts SET name = @name WHERE owner_id = @owner AND user_id = @user",
            ("@name", name), ("@owner", ownerId), ("@user", userId));

    /// <summary>Takes <paramref name="userId"/> out of <paramref name="ownerId"/>'s list; false when not there.</summary>
    public static bool Delete(WriteScope scope, long ownerId, long userId) =>
        scope.Execute("DELETE FROM session_contacts WHERE owner_id = @owner AND user_id = @user", ("@owner", ownerId), ("@user", userId)) > 0;

    /// <summary>Every list <paramref name="userId"/> is in: (owner, the name they gave), by owner.</summary>
    public static List<(long OwnerId, string Name)> ListsWith(WriteScope scope, long userId)
    {
        var command = scope.Command("SELECT owner_id, name FROM session_contacts WHERE user_id = @user ORDER BY owner_id");
        command.Parameters.AddWithValue("@user", userId);
        using var reader = command.ExecuteReader();
        var lists = new List<(long, string)>();
        while (reader.Read())
        {
            lists.Add((reader.GetInt64(0), reader.GetString(1)));
        }

        return lists;
    }

    /// <summary>Empties <paramref name="ownerId"/>'s own list and takes them out of every other.</summary>
    public static void DeleteAllOf(WriteScope scope, long ownerId) =>
        scope.Execute("DELETE FROM session_contacts WHERE owner_id = @user OR user_id = @user", ("@user", ownerId));
}
