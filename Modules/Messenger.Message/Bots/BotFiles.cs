using System.Globalization;
using Mediator;
using Messenger.Contracts.Bots;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Rpc;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Users;
using Messenger.Message.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ChatMessage = Messenger.Contracts.Messages.Message;

namespace Messenger.Message.Bots;

/// <summary>
/// Files over the Bot HTTP API. <c>sendDocument</c> / <c>sendPhoto</c> take a multipart form (<c>chat_id</c>,
/// <c>caption</c> (with <c>parse_mode</c> or <c>caption_entities</c>), <c>reply_to_message_id</c> or <c>reply_parameters</c> (as <c>sendMessage</c> takes them, quote and
/// <c>allow_sending_without_reply</c> too), <c>disable_notification</c>, and the file as field <c>document</c> / <c>photo</c>, at most
/// <see cref="BotLimits.MaxUploadBytes"/>; <c>message_thread_id</c>, a forum's topic) and post it as the protocol does: <c>upload.saveFilePart</c> part by part, then
/// <c>messages.send</c> with the upload (after <c>messages.setTyping(upload)</c>, which shows it and checks the chat), all as the bot (so quotas, deduplication, reference counts and rights are a
/// person's). A file a bot sees in an update has a <c>file_id</c> (the media id); <c>getFile(file_id)</c> answers where
/// to download it, <c>GET /file/bot&lt;token&gt;/&lt;file_id&gt;</c>, which reads it with <c>upload.getFile</c> as the bot:
/// only files of messages it can see (or it sent).
/// </summary>
internal static class BotFiles
{
    public const string PathPrefix = "/file/bot";

    private const int PartBytes = 512 * 1024;
    private const int ChunkBytes = 1024 * 1024;

    public static string FileIdOf(MessageMedia media) => media.Id.ToString(CultureInfo.InvariantCulture);

    public static async Task<ChatMessage> SendAsync(
        IServiceProvider services, long bot, BotRequest request, string field, long randomId, CancellationToken cancellationToken)
    {
        var peer = request.Chat();
        var silent = request.DisableNotification();
        var caption = BotText.Read(request, "caption", "caption_entities", required: false);
        var reply = request.Reply(peer);
        var thread = request.ThreadId();
        var file = request.File(field);
        if (file.Length > BotLimits.MaxUploadBytes)
        {
            throw new MessengerError(MediaErrorNames.FileTooBig, StatusCodes.Status413PayloadTooLarge);
        }

        // A resend (the same Idempotency-Key) of a stored send: its answer again, without uploading the file a second time
        // (messages.send would answer it before looking at the upload, and the upload would wait for its expiry). Once
        // the chat is resolved, as messages.send answers it: a bot removed from the chat since is refused, as its resend
        // of sendMessage is.
        await services.GetRequiredService<Chats.ChatResolver>().ResolveForPostingAsync(bot, peer, services.GetRequiredService<ISender>(), cancellationToken);
        if (services.GetRequiredService<MessageStore>().ReadByRandomId(bot, randomId) is { } first)
        {
            return first;
        }

        // "uploading…" for the people in the chat, and the chat checked before a byte is stored (a group the bot is not in,
        // may not post or send files in refuses here, not after the upload; a user who blocked the bot is not told it
        // here, as typing says nothing of blocks: the send refuses, and the file, held by nothing, is let go).
        await services.InvokeAsUserAsync<SetTypingCall, Done>(bot, new SetTypingCall(peer, TypingActions.Upload), cancellationToken);
        var fileId = Random.Shared.NextInt64(1, long.MaxValue);
        var total = (int)((file.Length + PartBytes - 1) / PartBytes);
        await using (var stream = file.OpenReadStream())
        {
            for (var part = 0; part < total; part++)
            {
                var bytes = new byte[(int)Math.Min(PartBytes, file.Length - (long)part * PartBytes)];
                await stream.ReadExactlyAsync(bytes, cancellationToken);
                await services.InvokeAsUserAsync<SaveFilePartCall, Done>(bot, new SaveFilePartCall(fileId, part, total, bytes), cancellationToken);
            }
        }

        var media = new InputMedia(fileId, total, Path.GetFileName(file.FileName) is { Length: > 0 } name ? name : field,
            string.IsNullOrEmpty(file.ContentType) ? "application/octet-stream" : file.ContentType);
        var sent = await BotApi.SendReplyingAsync(services, bot, reply,
            (replyToId, quote) => new SendMessageCall(peer, randomId, caption, replyToId, media, Silent: silent, Quote: quote, TopicId: thread), cancellationToken);
        return sent.Message;
    }

    /// <summary><c>getFile(file_id)</c> → <c>{file_id, file_path}</c>, if the bot may read the file (404 <c>MEDIA_INVALID</c> otherwise).</summary>
    public static async Task<object> GetFileAsync(IServiceProvider services, long bot, BotRequest request, CancellationToken cancellationToken)
    {
        var id = MediaIdOf(request.String("file_id")) ?? throw MessengerError.BadRequest(BotErrorNames.BotRequestInvalid, "file_id");
        await services.InvokeAsUserAsync<GetFileCall, FileBytes>(bot, new GetFileCall(id, 0, 4096), cancellationToken);
        var fileId = id.ToString(CultureInfo.InvariantCulture);
        return new { file_id = fileId, file_path = fileId };
    }

    /// <summary><c>GET /file/bot&lt;token&gt;/&lt;file_id&gt;</c>: the file's bytes, read a megabyte at a time; an error before the
    /// first byte answers as the API does (JSON with a name), one after it ends the response early.</summary>
    public static async Task DownloadAsync(string token, string fileId, HttpContext http, IBotAccounts bots, IServiceProvider services, ILogger<BotUpdates> logger)
    {
        var cancellationToken = http.RequestAborted;
        try
        {
            var bot = bots.FindByToken(token) ?? throw MessengerError.Unauthorized(BotErrorNames.BotTokenInvalid);
            var id = MediaIdOf(fileId) ?? throw MessengerError.NotFound(MediaErrorNames.MediaInvalid);
            var first = await services.InvokeAsUserAsync<GetFileCall, FileBytes>(bot, new GetFileCall(id, 0, ChunkBytes), cancellationToken);
            http.Response.ContentType = "application/octet-stream";
            var chunk = first.Bytes;
            for (long offset = 0; chunk.Length > 0; )
            {
                await http.Response.Body.WriteAsync(chunk, cancellationToken);
                offset += chunk.Length;
                if (chunk.Length < ChunkBytes)
                {
                    break;
                }

                chunk = (await services.InvokeAsUserAsync<GetFileCall, FileBytes>(bot, new GetFileCall(id, offset, ChunkBytes), cancellationToken)).Bytes;
            }
        }
        catch (MessengerError error) when (!http.Response.HasStarted)
        {
            await BotApi.AnswerErrorAsync(http, error, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The bot hung up.
        }
        catch (Exception e)
        {
            // A fault of ours: before the first byte it answers as the API does; after it, the response ends early.
            logger.LogError(e, "Bot API file download failed");
            if (http.Response.HasStarted)
            {
                http.Abort();
            }
            else
            {
                await BotApi.AnswerErrorAsync(http, new MessengerError(ErrorNames.Internal, StatusCodes.Status500InternalServerError), cancellationToken);
            }
        }
    }

    private static long? MediaIdOf(string? fileId) =>
        long.TryParse(fileId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0 ? id : null;
}
