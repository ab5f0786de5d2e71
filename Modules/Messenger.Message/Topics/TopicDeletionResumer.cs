using Mediator;
using Messenger.Contracts.Messages;
using Messenger.Kernel.Media;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Message.Chats;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Messenger.Message.Topics;

/// <summary>
/// At start, finishes the topic deletes a shutdown or crash cut short (<see cref="DeleteTopicHandler"/>: a topic marked
/// deleting whose messages are not all revoked yet), unit by unit as the call would have, in the name of the topic's
/// creator (whose name only chooses the answer's log, which nobody reads here). Until then the topic is hidden and
/// closed to everyone, and an admin's <c>messages.deleteTopic</c> finishes it as well.
/// </summary>
internal sealed class TopicDeletionResumer(
    TopicStore topics, StorageWriter writer, LoggedWriter logged, IUpdateLog log, IMediaAttachments media, IServiceScopeFactory scopes, TimeProvider clock,
    ILogger<TopicDeletionResumer> logger, ChatList.LargeGroupUnread largeGroupUnread) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        List<(long ChatId, long TopicId, long CreatorId)> unfinished;
        try
        {
            unfinished = topics.Unfinished();
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            // Never the host's end: the topics stay hidden until an admin's deleteTopic or the next start.
            logger.LogWarning(e, "Reading the topic deletes to finish failed");
            return;
        }

        foreach (var (chatId, topicId, creatorId) in unfinished)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var bus = scope.ServiceProvider.GetRequiredService<IMediator>();
                ChatTarget? target = null;
                await writer.WriteAsync(unit => target = ChatTarget.OfMessage(unit, chatId, Peer.Chat(chatId)), stoppingToken);
                if (target is null)
                {
                    // The group itself is gone: nothing to revoke, and nothing would ever finish the row.
                    await writer.WriteAsync(unit => TopicStore.Delete(unit, chatId, topicId), stoppingToken);
                    continue;
                }

                await DeleteTopicHandler.RunAsync(logged, log, media, largeGroupUnread, bus, clock, target, creatorId, topicId, _ => { }, stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The topic stays marked: the next start, or an admin's deleteTopic, tries again.
                logger.LogWarning(e, "Finishing the delete of topic {TopicId} in chat {ChatId} failed", topicId, chatId);
            }
        }
    }
}
