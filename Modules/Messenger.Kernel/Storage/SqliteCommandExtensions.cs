using Microsoft.Data.Sqlite;

namespace Messenger.Kernel.Storage;

public static class SqliteCommandExtensions
{
    /// <summary>Runs the query and returns the first column of every row as 64-bit integers (ids, mostly).</summary>
    public static List<long> ReadInt64Column(this SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var values = new List<long>();
        while (reader.Read())
        {
            values.Add(reader.GetInt64(0));
        }

        return values;
    }
}
