using Microsoft.Data.Sqlite;

namespace Messenger.Tests.Infrastructure;

/// <summary>Rows written and read with plain SQL, for migration tests: a table as it stood at an older migration, filled
/// without the model of that day, and what a migration left in it.</summary>
internal static class TableRows
{
    /// <summary>A row with the given values, and 0 (or '') in every other column that must have one: what the table
    /// held as the migration before the list left it.</summary>
    public static void Insert(SqliteConnection connection, string table, params (string Column, object Value)[] values)
    {
        var row = values.ToDictionary(v => v.Column, v => v.Value);
        using (var columns = connection.CreateCommand())
        {
            columns.CommandText = $"SELECT name, type FROM pragma_table_info('{table}') WHERE \"notnull\" = 1 AND dflt_value IS NULL AND pk = 0";
            using var reader = columns.ExecuteReader();
            while (reader.Read())
            {
                row.TryAdd(reader.GetString(0), reader.GetString(1) == "TEXT" ? "" : 0);
            }
        }

        using var command = connection.CreateCommand();
        command.CommandText = $"INSERT INTO {table} ({string.Join(", ", row.Keys)}) VALUES ({string.Join(", ", row.Keys.Select(k => "@" + k))})";
        foreach (var (column, value) in row)
        {
            command.Parameters.AddWithValue("@" + column, value);
        }

        command.ExecuteNonQuery();
    }

    /// <summary>The rows <paramref name="sql"/> reads, each as its values joined by commas (invariant culture).</summary>
    public static List<string> Rows(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(string.Join(",", Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        }

        return rows;
    }
}
