using System.Buffers.Binary;
using System.Buffers.Text;
using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;
using Lib.Net.Http.WebPush;
using Lib.Net.Http.WebPush.Authentication;
using Mediator;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Secret;
using Messenger.Contracts.Updates;
using Messenger.Contracts.Users;
using Messenger.Kernel.Background;
using Messenger.Kernel.Messages;
using Messenger.Kernel.Net;
using Messenger.Kernel.Rpc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messenger.Update.WebPush;

/// <summary>A new message (or a new device's sign-in to the account, or a secret message) for the subscribed devices of one
/// user that have no live connection.</summary>
internal sealed record PushJob(
    long UserId, Contracts.Messages.Message? Message, NewAuthorizationUpdate? SignIn, PushTarget[] Targets, EncryptedMessage? Secret = null);

/// <summary>
/// Sends Web Push notifications (RFC 8030, encrypted for each device as RFC 8291's <c>aes128gcm</c> by
/// Lib.Net.Http.WebPush, signed with the server's VAPID key by <see cref="VapidSigner"/>, RFC 8292) from a bounded
/// queue, a few at a time. A chat the recipient muted is skipped unless the message mentions them. The payload is JSON: <c>type</c> <c>message</c>, the chat as the recipient sees it (<c>peer</c>
/// <c>{kind: user|chat, id}</c>), <c>message_id</c>, <c>date</c>, the <c>title</c> and <c>body</c> to show, and <c>silent</c>
/// (its sender sent it without sound: shown all the same, quietly; a mention in it too). Each
/// notification carries the chat as its topic, so a push service holding several for an offline device keeps the
/// newest only. Another device's sign-in to the account goes as <c>type</c> <c>new_authorization</c> (see
/// <see cref="SignInPayload"/>), urgent, one topic per sign-in. A secret message goes as <c>type</c> <c>secret_message</c>
/// (see <see cref="SecretPayload"/>) to the recipient's device bound to its chat alone, without anything of its
/// ciphertext, unless the private chat with its sender is muted, under an opaque topic (<see cref="OpaqueTopic"/>). A subscription its push service calls gone (404, 410) is dropped; other failures are logged and the
/// notification is lost (the message is not: the device reads it when it connects). A full queue drops notifications,
/// never messages.
/// </summary>
internal sealed class PushOutbox(
    VapidKeys keys, PushSubscriptions subscriptions, IServiceProvider services, IOptions<PushOptions> options, TimeProvider clock,
    ILogger<PushOutbox> logger)
    : BoundedWorkQueue<PushJob>(capacity: 1024, parallelism: 4)
{
    public const int MaxBodyCharacters = 200;

    /// <summary>What a notification says of every secret message, a file's too: the server cannot read one.</summary>
    public const string SecretBody = "🔒 New secret message";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    // One fan-out shares the message instance among its recipients' jobs: its text is read once for all of them, not
    // once per recipient (weak keys: an entry goes with its message).
    private static readonly ConditionalWeakTable<Contracts.Messages.Message, HashSet<string>> MentionsRead = new();
    private static readonly ConditionalWeakTable<Contracts.Messages.Message, string> PreviewsRead = new();

    private readonly Lazy<PushServiceClient> _client = new(() => CreateClient(keys, options.Value, clock));
    private long _dropped;

    public void Offer(PushJob job)
    {
        if (!TryOffer(job) && Interlocked.Increment(ref _dropped) % 100 == 1)
        {
            logger.LogWarning("The push queue is full: notifications are being dropped ({Dropped} so far)", Interlocked.Read(ref _dropped));
        }
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Enabled)
        {
            if (!keys.Exists && subscriptions.Any)
            {
                // push.key was lost (or deleted): the stored subscriptions are bound to the old key, and every push to
                // them would be refused. The web client subscribes again with the new key when it next opens. They go
                // before the new key is made, so a start that fails here finds the key still missing next time.
                var dropped = await subscriptions.RemoveAllAsync(cancellationToken);
                logger.LogWarning(
                    "{File} was missing, so a new Web Push key was made; the {Count} push subscriptions of devices, bound to the old key, were dropped; each device gets notifications again once the web client is opened on it",
                    VapidKeys.FileName, dropped);
            }

            _ = keys.PublicKey; // the key exists from the first start on, so backups carry it

            if (options.Value.Subject == new PushOptions().Subject)
            {
                // Apple's push service refuses a VAPID token whose subject is a localhost address (403 BadJwtToken). A
                // warning once a device subscribed, when it matters; before that every default start would warn.
                logger.Log(
                    subscriptions.Any ? LogLevel.Warning : LogLevel.Information,
                    "Messenger:Push:Subject is still {Subject}: notifications to Safari and iOS fail until it is set to a real mailto: or https: address of the server's admin",
                    options.Value.Subject);
            }
        }

        await base.StartAsync(cancellationToken);
    }

    protected override void Failed(PushJob job, Exception error) =>
        logger.LogWarning(error, "The notification of {What} {Id} to user {User} failed",
            job.Secret is not null ? "secret chat" : job.Message is null ? "sign-in" : "message",
            job.Message?.Id ?? job.SignIn?.AuthorizationId ?? job.Secret?.ChatId, job.UserId);

    protected override async Task WorkAsync(PushJob job, CancellationToken cancellationToken)
    {
        if (job.SignIn is { } signIn)
        {
            await DeliverSignInAsync(job, signIn, cancellationToken);
            return;
        }

        if (job.Secret is { } secret)
        {
            await DeliverSecretAsync(job, secret, cancellationToken);
            return;
        }

        var message = job.Message!;
        NoticeContext? context;
        await using (var scope = services.CreateAsyncScope())
        {
            context = await scope.ServiceProvider.GetRequiredService<ISender>().Send(new GetNoticeContextQuery(job.UserId, message), cancellationToken);
        }

        if (context is null)
        {
            return;
        }

        var users = (await services.InvokeAsUserAsync<GetUsersCall, UserList>(
            job.UserId, new GetUsersCall([message.FromId, job.UserId]), cancellationToken)).Users;
        var mentioned = users.FirstOrDefault(u => u.Id == job.UserId) is { Username.Length: > 0 } me 
            && MentionsRead.GetValue(message, static m => new HashSet<string>(MessageMarkup.Mentions(m.Text), StringComparer.OrdinalIgnoreCase)).Contains(me.Username);
        if (context.Muted && !mentioned)
        {
            return;
        }

        var sender = users.FirstOrDefault(u => u.Id == message.FromId)?.DisplayName ?? "";
        var peer = message.PeerFor(job.UserId);
        var push = new PushMessage(Payload(message, peer, sender, context.ChatTitle, options.Value.ShowText))
        {
            Topic = OpaqueTopic(keys.TopicKey, peer.Kind == PeerKind.User ? 'u' : 'c', peer.Id, job.UserId),
            Urgency = peer.Kind == PeerKind.User || mentioned ? PushMessageUrgency.High : PushMessageUrgency.Normal,
            TimeToLive = options.Value.TimeToLiveHours * 3600,
        };

        foreach (var target in job.Targets)
        {
            await DeliverAsync(target, push, cancellationToken);
        }
    }

    /// <summary>A security notice: sent whether or not any chat is muted, urgent, one per sign-in.</summary>
    private async Task DeliverSignInAsync(PushJob job, NewAuthorizationUpdate signIn, CancellationToken cancellationToken)
    {
        var push = new PushMessage(SignInPayload(signIn))
        {
            Topic = OpaqueTopic(keys.TopicKey, 'a', signIn.AuthorizationId, job.UserId),
            Urgency = PushMessageUrgency.High,
            TimeToLive = options.Value.TimeToLiveHours * 3600,
        };
        foreach (var target in job.Targets)
        {
            await DeliverAsync(target, push, cancellationToken);
        }
    }

    /// <summary>The sign-in notice as the device's service worker reads it: <c>type</c> <c>new_authorization</c>, the
    /// update's fields, and the <c>title</c> and <c>body</c> to show.</summary>
    public static string SignInPayload(NewAuthorizationUpdate signIn) =>
        JsonSerializer.Serialize(new
        {
            type = "new_authorization",
            authorization_id = signIn.AuthorizationId,
            device_name = signIn.DeviceName,
            platform = signIn.Platform,
            client_address = signIn.ClientAddress,
            date = signIn.Date,
            title = "New sign-in to your account",
            body = $"{signIn.DeviceName} ({signIn.Platform}) from {signIn.ClientAddress}",
        });

    /// <summary>A secret message, to the one device that can read it (the others of the user do not show its chat), as an
    /// ordinary private message would go: skipped when the private chat with the sender is muted, urgent otherwise. Its
    /// topic is opaque (<see cref="OpaqueTopic"/>), as every push's.</summary>
    private async Task DeliverSecretAsync(PushJob job, EncryptedMessage secret, CancellationToken cancellationToken)
    {
        SecretNoticeContext? context;
        await using (var scope = services.CreateAsyncScope())
        {
            context = await scope.ServiceProvider.GetRequiredService<ISender>().Send(new GetSecretNoticeContextQuery(job.UserId, secret), cancellationToken);
        }

        if (context is not { Muted: false } || Array.Find(job.Targets, t => t.DeviceKey.AsSpan().SequenceEqual(context.Device)) is not { } bound)
        {
            return;
        }

        var users = (await services.InvokeAsUserAsync<GetUsersCall, UserList>(
            job.UserId, new GetUsersCall([secret.FromId]), cancellationToken)).Users;
        var sender = users.FirstOrDefault(u => u.Id == secret.FromId)?.DisplayName ?? "";
        var push = new PushMessage(SecretPayload(secret, sender))
        {
            Topic = OpaqueTopic(keys.TopicKey, 's', secret.ChatId, job.UserId),
            Urgency = PushMessageUrgency.High,
            TimeToLive = options.Value.TimeToLiveHours * 3600,
        };
        await DeliverAsync(bound, push, cancellationToken);
    }

    /// <summary>
    /// A push's <c>Topic</c>. The push service (Google's, Mozilla's, Apple's) sees this header in the clear, so a readable
    /// one — <c>u&lt;user id&gt;</c>, <c>c&lt;chat id&gt;</c>, <c>s&lt;secret chat id&gt;</c> — would tell it who writes to
    /// whom, which subscriptions share a group, and which receive secret chats. This is base64url of the first 18 bytes of
    /// HMAC-SHA256 over the kind (<c>u</c>, <c>c</c>, <c>s</c>, <c>a</c> for a sign-in), the id and the recipient under a
    /// key of the server's (24 characters, within RFC 8030's 32 of the URL-safe alphabet): still one topic per chat and
    /// recipient, so a push service holding several keeps the newest, but one that names nothing and differs between
    /// recipients (their subscriptions cannot be linked by it).
    /// </summary>
    public static string OpaqueTopic(byte[] key, char kind, long id, long userId)
    {
        Span<byte> input = stackalloc byte[17];
        input[0] = (byte)kind;
        BinaryPrimitives.WriteInt64BigEndian(input[1..], id);
        BinaryPrimitives.WriteInt64BigEndian(input[9..], userId);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, input, mac);
        return Base64Url.EncodeToString(mac[..18]);
    }

    /// <summary>The secret message's notice as the device's service worker reads it: <c>type</c> <c>secret_message</c>, the
    /// chat, the sender, the server's date, the <c>title</c> (the sender's name) and <c>body</c> (<see cref="SecretBody"/>) to
    /// show, and <c>silent</c> — nothing of its ciphertext, its random id or its file.</summary>
    public static string SecretPayload(EncryptedMessage secret, string sender) =>
        JsonSerializer.Serialize(new
        {
            type = "secret_message",
            chat_id = secret.ChatId,
            from_id = secret.FromId,
            date = secret.Date,
            title = sender,
            body = SecretBody,
            silent = secret.Silent,
        });

    private async Task DeliverAsync(PushTarget target, PushMessage push, CancellationToken cancellationToken)
    {
        var subscription = new PushSubscription { Endpoint = target.Endpoint };
        subscription.SetKey(PushEncryptionKeyName.P256DH, target.P256dh);
        subscription.SetKey(PushEncryptionKeyName.Auth, target.Auth);
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(Timeout);
            await _client.Value.RequestPushMessageDeliveryAsync(subscription, push, deadline.Token);
        }
        catch (PushServiceClientException e) when (e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
        {
            logger.LogInformation("The push service no longer knows a subscription of user {User}: dropped", target.UserId);
            await subscriptions.RemoveGoneAsync(target, cancellationToken);
        }
        catch (PushServiceClientException e)
        {
            logger.LogWarning("A push service refused a notification to user {User}: {Status} {Reason}", target.UserId, (int)e.StatusCode, e.Message);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("No notification to user {User}: {Host} {Reason}", target.UserId, new Uri(target.Endpoint).Host, e.Message);
        }
    }

    /// <summary>The notification as the device's service worker reads it.</summary>
    public static string Payload(Contracts.Messages.Message message, Peer peer, string sender, string? chatTitle, bool showText)
    {
        var text = showText ? Preview(message) : "New message";
        return JsonSerializer.Serialize(new
        {
            type = "message",
            peer = new { kind = peer.Kind == PeerKind.User ? "user" : "chat", id = peer.Id },
            message_id = message.Id,
            date = message.Date,
            title = chatTitle ?? sender,
            body = chatTitle is null ? text : $"{sender}: {text}",
            silent = message.Silent,
        });
    }

    /// <summary>What a notification says of the message: its text in one line, its markup taken away and a spoiler's words
    /// hidden (<see cref="MessageMarkup.Preview"/>, cut to <see cref="MaxBodyCharacters"/>), else what it carries.</summary>
    public static string Preview(Contracts.Messages.Message message)
    {
        var text = PreviewsRead.GetValue(message, static m => MessageMarkup.Preview(m.Text));
        if (text.Length == 0)
        {
            text = message switch
            {
                { Poll: { } poll } => "Poll: " + poll.Question,
                { Geo.LivePeriod: not null } => "Live location",
                { Geo: not null } => "Location",
                { Media.Kind: MediaKinds.Photo } => "Photo",
                { Media: { MimeType: var type } } when type.StartsWith("video/", StringComparison.Ordinal) => "Video",
                { Media: { MimeType: var type } } when type.StartsWith("audio/", StringComparison.Ordinal) => "Audio",
                { Media: { Name: var name } } => "File: " + name,
                _ => "",
            };
        }

        if (text.Length <= MaxBodyCharacters)
        {
            return text;
        }

        var cut = char.IsHighSurrogate(text[MaxBodyCharacters - 2]) ? MaxBodyCharacters - 2 : MaxBodyCharacters - 1;
        return text[..cut] + "…";
    }

    /// <summary>Whether <paramref name="text"/> mentions <c>@username</c> as its reader sees it (the markup's mentions, any
    /// case: not an escaped <c>\@name</c>, nor one in code or a link's text).</summary>
    public static bool Mentions(string text, string username) =>
        MessageMarkup.Mentions(text).Contains(username, StringComparer.OrdinalIgnoreCase);

    /// <summary>The library encrypts and sets the push headers; <see cref="VapidSigner"/> signs.</summary>
    private static PushServiceClient CreateClient(VapidKeys keys, PushOptions options, TimeProvider clock)
    {
        var network = PublicNetwork.CreateHandler(options.PrivateNetworks, Timeout);
        network.AllowAutoRedirect = false;
        return new PushServiceClient(new HttpClient(new VapidSigner(keys, options.Subject, clock) { InnerHandler = network }) { Timeout = Timeout })
        {
            DefaultAuthentication = new VapidAuthentication(keys.PublicKey, keys.PrivateScalar) { TokenCache = new SignedByVapidSigner() },
            DefaultAuthenticationScheme = VapidAuthenticationScheme.Vapid,
            DefaultTimeToLive = options.TimeToLiveHours * 3600,
            AutoRetryAfter = false,
        };
    }

    /// <summary>The library will not send without signing; its cache hands it a placeholder, so it signs nothing, and
    /// <see cref="VapidSigner"/> sets the header that goes out.</summary>
    private sealed class SignedByVapidSigner : IVapidTokenCache
    {
        public string Get(string audience) => "placeholder";

        public void Put(string audience, DateTimeOffset expiration, string token)
        {
        }
    }

    public override void Dispose()
    {
        if (_client.IsValueCreated)
        {
            _client.Value.DefaultAuthentication?.Dispose();
        }

        base.Dispose();
    }
}
