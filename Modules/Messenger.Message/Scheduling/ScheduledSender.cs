using Mediator;
using Messenger.Contracts.Messages;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Media;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Message.Background;
using Messenger.Message.Sending;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Messenger.Message.Scheduling;

/// <summary>
/// Sends scheduled messages when their date comes, once a second: each as <c>messages.send</c> by its author, in a DI
/// scope of its own, with its random_id, and only then removes its row (and lets go of the file the row held: the
/// message holds its own reference by then). A crash between the two sends it again after
/// the restart, and the random_id answers with the message already stored: never lost, never twice. A send refused for
/// good (blocked, no longer a member, the peer's account deleted) drops the message, logged (a forum topic gone, closed
/// or turned off sends it into General instead: <see cref="Topics.TopicStore.ForPost"/>). One refused for now (the
/// posting limit, storage full) or failing unexpectedly is tried again after a wait that doubles from a second up to
/// an hour (at least a FLOOD_WAIT's), and is given up, logged, after <see cref="MaxAttempts"/> tries (≈ 8 hours of them). A
/// pass takes only rows whose wait is over, so failing ones never hold up the messages due after them.
/// </summary>
internal sealed class ScheduledSender(
    SqliteDatabase database, StorageWriter writer, LoggedWriter logged, IUpdateLog log, IMediaAttachments media, IServiceScopeFactory scopes, TimeProvider clock,
    ILogger<ScheduledSender> logger)
    : SecondlyPass(logger, "Sending scheduled messages failed")
{
    /// <summary>Tries of one message before it is given up.</summary>
    internal const int MaxAttempts = 20;

    private const int PerTick = 100;
    private const int MaxRetryDelaySeconds = 3600;

    /// <summary>Sends what is due now; returns how many were sent (a resend answered by the random_id counts too).</summary>
    public Task<int> SendDueAsync(CancellationToken cancellationToken) => RunPassAsync(cancellationToken);

    /// <summary>The wait after the <paramref name="attempts"/>th failed try: 1 s, doubled each time, up to an hour.</summary>
    internal static int RetryDelaySeconds(int attempts) => attempts > 12 ? MaxRetryDelaySeconds : Math.Min(1 << (attempts - 1), MaxRetryDelaySeconds);

    protected override async Task<int> PassAsync(CancellationToken cancellationToken)
    {
        var sent = 0;
        foreach (var (userId, message, attempts) in Due(clock.GetUtcNow().ToUnixTimeSeconds()))
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<RpcContext>().UserId = userId;
            var bus = scope.ServiceProvider.GetRequiredService<IMediator>();
            try
            {
                await bus.Send(new SendScheduledNow(message), cancellationToken);
                sent++;
            }
            catch (MessengerError e) when (e.Code is 420 or 500)
            {
                if (await PostponeAsync(userId, message, attempts + 1, e.RetryAfterSeconds ?? 0, e.Name, cancellationToken))
                {
                    continue;
                }
            }
            catch (MessengerError e)
            {
                logger.LogInformation("Scheduled message {Id} of user {UserId} dropped: {Error}", message.Id, userId, e.Name);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Scheduled message {Id} of user {UserId} could not be sent", message.Id, userId);
                if (await PostponeAsync(userId, message, attempts + 1, 0, e.GetType().Name, cancellationToken))
                {
                    continue;
                }
            }

            await logged.WriteAsync(bus, (unit, appends) =>
            {
                if (unit.Execute("DELETE FROM message_scheduled WHERE id = @id", ("@id", message.Id)) > 0)
                {
                    media.Release(unit, MediaHolders.ScheduledOf(message.Id));
                    appends.Add(ScheduledMessagesHandler.Announce(unit, log, userId, message.Peer, clock.GetUtcNow().ToUnixTimeSeconds()));
                }
            }, cancellationToken);
        }

        return sent;
    }

    /// <summary>Counts a failed try and sets when the next one is due; false (nothing written) when it was the last, the
    /// message then to be dropped.</summary>
    private async Task<bool> PostponeAsync(
        long userId, ScheduledMessage message, int attempts, int retryAfterSeconds, string error, CancellationToken cancellationToken)
    {
        if (attempts >= MaxAttempts)
        {
            logger.LogWarning("Scheduled message {Id} of user {UserId} dropped after {Attempts} tries: {Error}", message.Id, userId, attempts, error);
            return false;
        }

        var retryAt = clock.GetUtcNow().ToUnixTimeSeconds() + Math.Max(RetryDelaySeconds(attempts), retryAfterSeconds);
        await writer.WriteAsync(unit => unit.Execute(
            "UPDATE message_scheduled SET attempts = @attempts, retry_at = @retryAt WHERE id = @id",
            ("@attempts", attempts), ("@retryAt", retryAt), ("@id", message.Id)), cancellationToken);
        return true;
    }

    private List<(long UserId, ScheduledMessage Message, int Attempts)> Due(long now)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText =
            $"SELECT {ScheduledMessagesHandler.Columns}, user_id, attempts FROM message_scheduled " +
            "WHERE date <= @now AND retry_at <= @now ORDER BY date, id LIMIT @limit";
        command.Parameters.AddWithValue("@now", now);
        command.Parameters.AddWithValue("@limit", PerTick);
        using var reader = command.ExecuteReader();
        var due = new List<(long, ScheduledMessage, int)>();
        while (reader.Read())
        {
            due.Add((reader.GetInt64(ScheduledMessagesHandler.ColumnCount), ScheduledMessagesHandler.ReadOne(reader),
                reader.GetInt32(ScheduledMessagesHandler.ColumnCount + 1)));
        }

        return due;
    }
}
