namespace Messenger.Message.Storage;

/// <summary><c>message_messages.shared_kind</c> for messages stored before the column (the SharedMedia migration).</summary>
internal static class SharedKinds
{
    /// <summary>A file's kind is read from its descriptor — MessagePack, where the map entry <c>"kind": "photo"</c> is the
    /// bytes <c>a4 'kind' a5 'photo'</c>, and so on — and a link from the text (any <c>http://</c> or <c>https://</c>).</summary>
    public const string Backfill =
        "UPDATE message_messages SET shared_kind = CASE " +
        "WHEN media IS NOT NULL AND instr(media, X'a46b696e64a570686f746f') > 0 THEN 1 " +
        "WHEN media IS NOT NULL AND instr(media, X'a46b696e64a5766964656f') > 0 THEN 2 " +
        "WHEN media IS NOT NULL AND instr(media, X'a46b696e64a5617564696f') > 0 THEN 3 " +
        "WHEN media IS NOT NULL THEN 4 " +
        "ELSE 5 END " +
        "WHERE deleted = 0 AND action IS NULL AND poll IS NULL AND (media IS NOT NULL OR text LIKE '%http://%' OR text LIKE '%https://%')";
}
