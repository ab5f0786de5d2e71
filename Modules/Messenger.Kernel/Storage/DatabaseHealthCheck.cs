using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Messenger.Kernel.Storage;

/// <summary>Ready means messages can be stored: the database answers a query on the Kernel's own table, the storage
/// writer runs, and no write (database or media) was refused for lack of room in the last minute (reads still work
/// then, but a messenger that cannot store a message is not ready).</summary>
internal sealed class DatabaseHealthCheck(SqliteDatabase database, StorageWriter writer, StorageSpace space) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if ((writer.Problem ?? space.Problem) is { } problem)
        {
            return HealthCheckResult.Unhealthy(problem);
        }

        try
        {
            await using var connection = database.Open();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM kernel_server_info";
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy("database unreachable", e);
        }
    }
}
