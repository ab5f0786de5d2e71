using Mediator;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Contracts.Wire;
using Messenger.Kernel.Background;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Message.Chats;
using Messenger.Message.Storage;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messenger.Message.Previews;

/// <summary>
/// Link previews, made by the server after a message is stored (so people's devices never reveal themselves to the
/// sites they are sent links to): a new or edited text message with a link is offered here from its
/// <see cref="UpdatesAppendedEvent"/>; a few pages are fetched at a time (<see cref="PageFetcher"/>; each URL's result,
/// found or not, is kept 30 minutes); a preview found is stored with the message in a writer unit, which checks the
/// text is still the one the link came from, and goes to the chat's audience as <c>edit_message</c> with
/// <c>edit_date</c> unchanged. Previews are a courtesy: when the queue is full, the sender has
/// <see cref="PerSender"/> previews queued or being fetched already, a fetch fails or the message changed, there is
/// none, and nothing else waits for them.
/// </summary>
internal sealed class LinkPreviews(
    PageFetcher fetcher, LoggedWriter writer, IUpdateLog log, IServiceScopeFactory scopes, IOptions<MessageOptions> options, TimeProvider clock,
    ILogger<LinkPreviews> logger)
    : BoundedWorkQueue<LinkPreviews.Job>(capacity: 256, parallelism: 4)
{
    /// <summary>The most previews of one sender's messages queued or being fetched: one account's links to a slow site
    /// cannot fill the queue (256 jobs of up to 5 s, four at a time) and leave everyone else's messages without.</summary>
    public const int PerSender = 4;

    private static readonly TimeSpan Remembered = TimeSpan.FromMinutes(30);

    private readonly Dictionary<long, int> _queuedBySender = [];

    private readonly MemoryCache _pages = new(new MemoryCacheOptions { SizeLimit = 10_000 });

    /// <summary>Queues a preview for each text message in <paramref name="appends"/> that has a link and none yet.</summary>
    public void Offer(IReadOnlyList<LogAppend> appends)
    {
        if (!options.Value.LinkPreviews)
        {
            return;
        }

        long previous = 0;
        foreach (var append in appends)
        {
            var message = append.Update.Update switch
            {
                NewMessageUpdate { Message: var m } => m,
                EditMessageUpdate { Message: var m } => m,
                _ => null,
            };

            // One message comes once per log of its audience, one after another.
            if (message is not { WebPage: null, Action: null, Media: null, Poll: null } || message.Id == previous)
            {
                continue;
            }

            previous = message.Id;
            if (PageMeta.FirstLink(message.Text) is { } url)
            {
                Queue(new Job(message.Id, message.FromId, message.Text, url));
            }
        }
    }

    private void Queue(Job job)
    {
        lock (_queuedBySender)
        {
            var queued = _queuedBySender.GetValueOrDefault(job.SenderId);
            if (queued >= PerSender)
            {
                logger.LogDebug("No link preview of message {Id}: its sender has {Count} queued", job.MessageId, queued);
                return;
            }

            if (TryOffer(job))
            {
                _queuedBySender[job.SenderId] = queued + 1;
            }
        }
    }

    private void Done(Job job)
    {
        lock (_queuedBySender)
        {
            if (_queuedBySender.GetValueOrDefault(job.SenderId) > 1)
            {
                _queuedBySender[job.SenderId]--;
            }
            else
            {
                _queuedBySender.Remove(job.SenderId);
            }
        }
    }

    protected override void Failed(Job job, Exception error) =>
        logger.LogWarning(error, "The link preview of message {Id} failed", job.MessageId);

    protected override async Task WorkAsync(Job job, CancellationToken cancellationToken)
    {
        try
        {
            if (await PageOfAsync(job.Url, cancellationToken) is not { } page)
            {
                return;
            }

            await using var services = scopes.CreateAsyncScope();
            await writer.WriteAsync(services.ServiceProvider.GetRequiredService<IPublisher>(), (scope, appends) => Attach(scope, job, page, appends), cancellationToken);
        }
        finally
        {
            Done(job);
        }
    }

    private async Task<WebPage?> PageOfAsync(Uri url, CancellationToken cancellationToken)
    {
        var key = url.AbsoluteUri;
        if (_pages.TryGetValue(key, out Fetched? known))
        {
            return known!.Page;
        }

        WebPage? page = null;
        try
        {
            page = await fetcher.FetchAsync(url, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException or InvalidOperationException
                                      && !cancellationToken.IsCancellationRequested)
        {
            logger.LogDebug("No link preview of {Host}: {Reason}", url.Host, e.Message);
        }

        _pages.Set(key, new Fetched(page), new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = Remembered });
        return page;
    }

    /// <summary>Inside a unit: stores the preview with the message and tells its chat, if the message still has the
    /// text the link came from and no preview yet.</summary>
    private void Attach(WriteScope scope, Job job, WebPage page, List<LogAppend> appends)
    {
        var command = scope.Command($"SELECT m.chat_id, {MessageStore.MessageColumns} FROM message_messages m WHERE m.id = @id AND m.deleted = 0");
        command.Parameters.AddWithValue("@id", job.MessageId);
        long chatId;
        Contracts.Messages.Message message;
        using (var reader = command.ExecuteReader())
        {
            if (!reader.Read())
            {
                return;
            }

            chatId = reader.GetInt64(0);
            message = MessageStore.ReadMessage(reader, 1);
        }

        if (message.Text != job.Text || message.WebPage is not null || ChatTarget.OfMessage(scope, chatId, message.ToPeer) is not { } target)
        {
            return;
        }

        scope.Execute("UPDATE message_messages SET web_page = @page WHERE id = @id", ("@page", WireSerializer.Serialize(page)), ("@id", message.Id));
        var update = new EditMessageUpdate(message with { WebPage = page });
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        foreach (var (owner, _) in target.AudienceSeeing(scope, message.FromId, message.Id))
        {
            appends.Add(new LogAppend(owner, log.Append(scope, owner, update, now, message.Id)));
        }
    }

    public override void Dispose()
    {
        _pages.Dispose();
        base.Dispose();
    }

    internal sealed record Job(long MessageId, long SenderId, string Text, Uri Url);

    /// <summary>A URL's result, kept whether a preview was found or not.</summary>
    private sealed record Fetched(WebPage? Page);
}

internal sealed class QueueLinkPreviews(LinkPreviews previews) : INotificationHandler<UpdatesAppendedEvent>
{
    public ValueTask Handle(UpdatesAppendedEvent notification, CancellationToken cancellationToken)
    {
        previews.Offer(notification.Appends);
        return ValueTask.CompletedTask;
    }
}
