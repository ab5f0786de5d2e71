using Messenger.Kernel.Storage;
using Microsoft.Extensions.Caching.Memory;

namespace Messenger.Message.ChatList;

/// <summary>
/// A large group's or channel's unread count for a member: the messages after their read position, not deleted, not
/// theirs, not hidden from them, at most <see cref="Cap"/>. Such chats keep no per-member counter (a post to 200,000
/// members must not write 200,000 rows), so the count is taken from the messages — and remembered here, per member and
/// chat, with the read position it started from and the chat's newest message id it saw, so the next count seeks past
/// that id on the <c>(chat_id, id)</c> key and adds only the messages posted since.
/// </summary>
/// <remarks>
/// A remembered count is used only while its read position is the member's and nothing could have lowered it: a revoke
/// in the chat (<see cref="Revoking"/>) and a message the member hid (<see cref="Hiding"/>) each move a stamp (one of
/// <see cref="Stamps"/> counters, shared by the chats, or members and chats, that fall on it) and a count remembered under
/// an older stamp is not used. The stamps are read before the count's snapshot and moved after the change's COMMIT, so a
/// count whose snapshot missed a change is remembered under a stamp the change has moved since. They are moved inside
/// the change's unit too: a count later in the same batch of the writer sees the change before it commits. The newest id
/// recorded is the one the count's own snapshot saw (the same statement), and message ids grow with each commit (one
/// writer), so a message is never counted twice nor missed. Nothing else lowers the count or adds to the counted range:
/// an edit changes no column it reads, a member's own posts are not counted, and leaving and coming back starts at the
/// newest message, a new read position. Memory only: a restart starts empty.
/// </remarks>
internal sealed class LargeGroupUnread : IDisposable
{
    /// <summary>The most unread messages a count reaches (a large group's <c>unread_count</c> says no more).</summary>
    public const int Cap = 10_000;

    /// <summary>Counts remembered (≈ 200 bytes each with the cache's own): 100,000 by default, about 20 MB.</summary>
    internal const int Remembered = 100_000;

    private const int Stamps = 4096;

    private readonly MemoryCache _counted;
    private readonly long[] _chatStamps = new long[Stamps];
    private readonly long[] _memberStamps = new long[Stamps];

    public LargeGroupUnread()
        : this(Remembered)
    {
    }

    internal LargeGroupUnread(int entries) => _counted = new MemoryCache(new MemoryCacheOptions { SizeLimit = entries });

    /// <summary>Where a count may start: the remembered count, when its stamps still hold (else none), and the stamps,
    /// read before the count's snapshot, to remember the new count with.</summary>
    internal readonly record struct Start(Counted From, long ChatStamp, long MemberStamp);

    /// <summary>A count: from <paramref name="ReadMaxId"/> (−1: none) up to the chat's message <paramref name="UpTo"/>.</summary>
    internal readonly record struct Counted(long ReadMaxId, long UpTo, int Count)
    {
        public static readonly Counted None = new(-1, 0, 0);
    }

    private sealed record Entry(Counted Counted, long ChatStamp, long MemberStamp);

    public Start Begin(long userId, long chatId)
    {
        var chatStamp = Volatile.Read(ref ChatStamp(chatId));
        var memberStamp = Volatile.Read(ref MemberStamp(userId, chatId));
        var from = _counted.TryGetValue((userId, chatId), out Entry? entry) && entry!.ChatStamp == chatStamp && entry.MemberStamp == memberStamp
            ? entry.Counted
            : Counted.None;
        return new Start(from, chatStamp, memberStamp);
    }

    public void Remember(long userId, long chatId, Start start, Counted counted) =>
        _counted.Set((userId, chatId), new Entry(counted, start.ChatStamp, start.MemberStamp), new MemoryCacheEntryOptions { Size = 1 });

    /// <summary>Messages of the chat are being revoked (deleted for everyone) in <paramref name="scope"/>'s unit.</summary>
    public void Revoking(WriteScope scope, long chatId)
    {
        Interlocked.Increment(ref ChatStamp(chatId));
        scope.OnCommitted(() => Interlocked.Increment(ref ChatStamp(chatId)));
    }

    /// <summary>Messages of the chat are being hidden from <paramref name="userId"/> (deleted for them only).</summary>
    public void Hiding(WriteScope scope, long userId, long chatId)
    {
        Interlocked.Increment(ref MemberStamp(userId, chatId));
        scope.OnCommitted(() =>
        {
            Interlocked.Increment(ref MemberStamp(userId, chatId));
            _counted.Remove((userId, chatId));
        });
    }

    /// <summary>The member's read position and unread count, as <paramref name="scope"/>'s unit sees them (null: not a
    /// member); the count is remembered once the unit commits (a batch that fails may leave message ids unused that a
    /// later message takes).</summary>
    public (long ReadMaxId, int Unread)? CountIn(WriteScope scope, long userId, long chatId)
    {
        var start = Begin(userId, chatId);
        var command = scope.Command(MemberSql);
        command.Parameters.AddWithValue("@chat", chatId);
        command.Parameters.AddWithValue("@user", userId);
        command.Parameters.AddWithValue("@fromRead", start.From.ReadMaxId);
        command.Parameters.AddWithValue("@fromUpTo", start.From.UpTo);
        command.Parameters.AddWithValue("@fromCount", start.From.Count);
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        var counted = new Counted(reader.GetInt64(0), reader.GetInt64(2), reader.GetInt32(1));
        scope.OnCommitted(() => Remember(userId, chatId, start, counted));
        return (counted.ReadMaxId, counted.Count);
    }

    /// <summary>
    /// The unread count, in a query over the chat <paramref name="chat"/> where <c>@user</c>'s read position is
    /// <paramref name="read"/>, from a remembered count (<paramref name="fromRead"/>, <paramref name="fromUpTo"/>,
    /// <paramref name="fromCount"/>): when it started at the same position, its count plus the messages after the id it
    /// counted up to (none when it reached the cap: a count at the cap stays there), else a count from the read position.
    /// </summary>
    internal static string UnreadSql(string chat, string read, string fromRead, string fromUpTo, string fromCount)
    {
        var same = $"{fromRead} = {read}";
        var kept = $"(CASE WHEN {same} THEN {fromCount} ELSE 0 END)";
        return $"(CASE WHEN {kept} >= {Cap} THEN {Cap} ELSE min({Cap}, {kept} + " +
            $"(SELECT count(*) FROM (SELECT 1 FROM message_messages x WHERE x.chat_id = {chat} " +
            $"AND x.id > (CASE WHEN {same} THEN max({fromUpTo}, {read}) ELSE {read} END) AND x.deleted = 0 AND x.from_id <> @user " +
            $"AND NOT EXISTS (SELECT 1 FROM message_hidden h WHERE h.user_id = @user AND h.message_id = x.id) LIMIT {Cap}))) END)";
    }

    /// <summary>The id of the chat's newest message (0: none), by the end of its range of the chat's index: what a count
    /// in the same statement has counted up to.</summary>
    internal static string NewestSql(string chat) => $"(SELECT coalesce(max(n.id), 0) FROM message_messages n WHERE n.chat_id = {chat})";

    /// <summary>One member's read position, unread count and the id counted up to, from <c>@fromRead</c>,
    /// <c>@fromUpTo</c>, <c>@fromCount</c> (<see cref="UnreadSql"/>).</summary>
    internal static readonly string MemberSql =
        $"SELECT mem.read_inbox_max_id, {UnreadSql("mem.chat_id", "mem.read_inbox_max_id", "@fromRead", "@fromUpTo", "@fromCount")}, {NewestSql("mem.chat_id")} " +
        "FROM message_members mem WHERE mem.chat_id = @chat AND mem.user_id = @user";

    /// <summary>The counts remembered (tests).</summary>
    internal int Count => _counted.Count;

    public void Dispose() => _counted.Dispose();

    private ref long ChatStamp(long chatId) => ref _chatStamps[(ulong)chatId % Stamps];

    // A fixed mix (not HashCode's, seeded per process): a member's chats, and a chat's members, spread over the counters.
    private ref long MemberStamp(long userId, long chatId) => ref _memberStamps[unchecked(((ulong)userId * 0x9E3779B97F4A7C15UL) + (ulong)chatId) % Stamps];
}
