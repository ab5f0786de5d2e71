using System.Security.Cryptography;
using System.Text;
using FluentValidation;
using Mediator;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Rpc;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Users;
using Messenger.Message.Groups;
using Microsoft.Data.Sqlite;
using Messenger.Kernel.Text;

namespace Messenger.Message.Webhooks;

internal sealed class CreateWebhookValidator : AbstractValidator<CreateWebhookCall>
{
    public CreateWebhookValidator() =>
        RuleFor(c => c.Name)
            .Must(n => TextRules.IsName(n, WebhookLimits.MaxNameLength))
            .WithErrorCode(WebhookErrorNames.WebhookNameInvalid);
}

/// <summary>
/// A group's incoming webhooks (admins manage them): each posts as a bot user of its own, created with it in one unit,
/// so its messages carry its name. The token is 256 random bits, told once; the server keeps its SHA-256 only, so a
/// copy of the database does not let anyone post.
/// </summary>
internal sealed class WebhookHandlers(
    GroupChanges changes, Chats.ChatDirectory directory, StorageWriter writer, SqliteDatabase database, IBotAccounts bots, RpcContext caller, TimeProvider clock)
    : IRequestHandler<CreateWebhookCall, WebhookCreated>, IRequestHandler<GetWebhooksCall, WebhookList>, IRequestHandler<DeleteWebhookCall, Done>
{
    private const string Columns = "id, chat_id, name, bot_user_id, created_by, created_at";

    public async ValueTask<WebhookCreated> Handle(CreateWebhookCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var name = call.Name.Trim();
        var token = WebhookTokens.New();
        var webhook = await writer.WriteAsync(scope =>
        {
            RequireAdmin(scope, call.ChatId, me);
            if (Convert.ToInt64(scope.Scalar("SELECT count(*) FROM message_webhooks WHERE chat_id = @chat", ("@chat", call.ChatId))) >= WebhookLimits.PerChat)
            {
                throw MessengerError.BadRequest(WebhookErrorNames.WebhooksTooMany);
            }

            var now = clock.GetUtcNow();
            var bot = bots.Create(scope, name, now);
            var id = Convert.ToInt64(scope.Scalar(
                "INSERT INTO message_webhooks (chat_id, bot_user_id, name, token_hash, created_by, created_at) " +
                "VALUES (@chat, @bot, @name, @hash, @me, @now) RETURNING id",
                ("@chat", call.ChatId), ("@bot", bot), ("@name", name), ("@hash", WebhookTokens.Hash(token)), ("@me", me),
                ("@now", now.ToUnixTimeSeconds())));
            return new Webhook(id, call.ChatId, name, bot, me, now.ToUnixTimeSeconds());
        }, cancellationToken);
        return new WebhookCreated(webhook, WebhookEndpoint.PathPrefix + token);
    }

    public ValueTask<WebhookList> Handle(GetWebhooksCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        GroupChanges.RequireAdmin(directory.Get(call.ChatId)?.RoleOf(me) ?? throw MessengerError.NotFound(GroupErrorNames.ChatNotFound));
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM message_webhooks WHERE chat_id = @chat ORDER BY id";
        command.Parameters.AddWithValue("@chat", call.ChatId);
        return ValueTask.FromResult(new WebhookList([.. Read(command)]));
    }

    public async ValueTask<Done> Handle(DeleteWebhookCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        await writer.WriteAsync(scope =>
        {
            RequireAdmin(scope, call.ChatId, me);
            if (scope.Execute("DELETE FROM message_webhooks WHERE chat_id = @chat AND id = @id", ("@chat", call.ChatId), ("@id", call.Id)) == 0)
            {
                throw MessengerError.NotFound(WebhookErrorNames.WebhookNotFound);
            }
        }, cancellationToken);
        return new Done();
    }

    private void RequireAdmin(WriteScope scope, long chatId, long me) => GroupChanges.RequireAdmin(changes.RequireMember(scope, chatId, me).Role);

    private static List<Webhook> Read(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var found = new List<Webhook>();
        while (reader.Read())
        {
            found.Add(new Webhook(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5)));
        }

        return found;
    }
}

/// <summary>Webhook tokens: 32 random bytes in URL-safe base64 (43 characters), stored as their SHA-256.</summary>
internal static class WebhookTokens
{
    public static string New() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
