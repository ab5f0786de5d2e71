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

    /// <summary>Runs an aggregate query on a connection of its own and returns its one row's two numbers (counts, sums;
    /// null as 0).</summary>
    public static (long First, long Second) ReadTwoNumbers(this SqliteDatabase database, string sql)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.IsDBNull(0) ? 0 : reader.GetInt64(0), reader.IsDBNull(1) ? 0 : reader.GetInt64(1));
    }

    /// <summary>Runs a query on a connection of its own and answers whether it found a row (<c>SELECT 1 FROM … WHERE …</c>).</summary>
    public static bool Exists(this SqliteDatabase database, string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command.ExecuteScalar() is not null;
    }

    /// <summary>Binds <paramref name="values"/> as parameters <c>@{prefix}0</c>, <c>@{prefix}1</c>, … and returns them
    /// as the list for an <c>IN (…)</c>.</summary>
    public static string BindList(this SqliteCommand command, string prefix, IReadOnlyList<long> values)
    {
        for (var i = 0; i < values.Count; i++)
        {
            command.Parameters.AddWithValue($"@{prefix}{i}", values[i]);
        }

        return string.Join(", ", values.Select((_, i) => $"@{prefix}{i}"));
    }
}
