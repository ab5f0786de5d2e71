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
/// or turned off sends it into General instead: <see cref="Topics.TopicStore.ForPost"/>); one refused for now
/// (the posting limit, storage full) or failing unexpectedly waits for the next second, without holding up the others.
/// </summary>
internal sealed class ScheduledSender(
    SqliteDatabase database, StorageWriter writer, IUpdateLog log, IMediaAttachments media, IServiceScopeFactory scopes, TimeProvider clock,
    ILogger<ScheduledSender> logger)
    : SecondlyPass(logger, "Sending scheduled messages failed")
{
    private const int PerTick = 100;

    /// <summary>Sends what is due now; returns how many were sent (a resend answered by the random_id counts too).</summary>
    public Task<int> SendDueAsync(CancellationToken cancellationToken) => RunPassAsync(cancellationToken);

    protected override async Task<int> PassAsync(CancellationToken cancellationToken)
    {
        var sent = 0;
        foreach (var (userId, message) in Due(clock.GetUtcNow().ToUnixTimeSeconds()))
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
                continue;
            }
            catch (MessengerError e)
            {
                logger.LogInformation("Scheduled message {Id} of user {UserId} dropped: {Error}", message.Id, userId, e.Name);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Kept for the next pass; the messages due after it are not held up.
                logger.LogError(e, "Scheduled message {Id} of user {UserId} could not be sent", message.Id, userId);
                continue;
            }

            var appends = new List<LogAppend>();
            await writer.WriteAsync(unit =>
            {
                if (unit.Execute("DELETE FROM message_scheduled WHERE id = @id", ("@id", message.Id)) > 0)
                {
                    media.Release(unit, MediaHolders.ScheduledOf(message.Id));
                    appends.Add(ScheduledMessagesHandler.Announce(unit, log, userId, message.Peer, clock.GetUtcNow().ToUnixTimeSeconds()));
                }
            }, cancellationToken);
            await ScheduledMessagesHandler.PublishAsync(bus, appends);
        }

        return sent;
    }

    private List<(long UserId, ScheduledMessage Message)> Due(long now)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText =
            $"SELECT {ScheduledMessagesHandler.Columns}, user_id FROM message_scheduled WHERE date <= @now ORDER BY date, id LIMIT @limit";
        command.Parameters.AddWithValue("@now", now);
        command.Parameters.AddWithValue("@limit", PerTick);
        using var reader = command.ExecuteReader();
        var due = new List<(long, ScheduledMessage)>();
        while (reader.Read())
        {
            due.Add((reader.GetInt64(ScheduledMessagesHandler.ColumnCount), ScheduledMessagesHandler.ReadOne(reader)));
        }

        return due;
    }
}
