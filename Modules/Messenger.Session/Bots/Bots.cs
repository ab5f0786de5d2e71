using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using FluentValidation;
using Mediator;
using Messenger.Contracts.Auth;
using Messenger.Contracts.Bots;
using Messenger.Contracts.Rpc;
using Messenger.Contracts.Users;
using Messenger.Contracts.Wire;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Events;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Text;
using Messenger.Session.Account;
using Messenger.Session.Storage;
using Microsoft.Extensions.Logging;

namespace Messenger.Session.Bots;

internal sealed class CreateBotValidator : AbstractValidator<CreateBotCall>
{
    public CreateBotValidator()
    {
        RuleFor(c => c.Username).Must(u => Rules.IsUsername(u) && Rules.IsReservedForBots(u)).WithErrorCode(SessionErrorNames.UsernameInvalid);
        RuleFor(c => c.DisplayName).DisplayName();
    }
}

/// <summary>
/// A bot's token: <c>&lt;bot id&gt;:&lt;43 characters&gt;</c> (256 random bits, base64url). Only its SHA-256 is stored, so
/// a copy of the database does not speak for the bots.
/// </summary>
internal static class BotTokens
{
    public static string New(long botId) => $"{botId}:{Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32))}";

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}

/// <summary><c>bots.create</c>, <c>bots.getMine</c>, <c>bots.resetToken</c>: a user's bots and their tokens.</summary>
internal sealed class BotsHandler(SessionStore store, BotStore bots, RpcContext caller, TimeProvider clock, ILogger<BotsHandler> logger)
    : IRequestHandler<CreateBotCall, BotToken>, IRequestHandler<GetMyBotsCall, UserList>, IRequestHandler<ResetBotTokenCall, BotToken>
{
    public async ValueTask<BotToken> Handle(CreateBotCall call, CancellationToken cancellationToken)
    {
        var owner = caller.RequireUserId();
        var token = "";
        var id = await bots.InsertAsync(owner, call.Username, call.DisplayName.Trim(), botId =>
        {
            token = BotTokens.New(botId);
            return BotTokens.Hash(token);
        }, clock.GetUtcNow().ToUnixTimeMilliseconds());
        logger.LogInformation("User {OwnerId} created bot {BotId}", owner, id);
        return new BotToken(store.GetUser(id)!.ToUser(), token);
    }

    public ValueTask<UserList> Handle(GetMyBotsCall call, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new UserList([.. bots.OwnedBy(caller.RequireUserId()).Select(b => b.ToUser())]));

    public async ValueTask<BotToken> Handle(ResetBotTokenCall call, CancellationToken cancellationToken)
    {
        var owner = caller.RequireUserId();
        var token = BotTokens.New(call.BotId);
        if (!await bots.SetTokenAsync(owner, call.BotId, BotTokens.Hash(token)))
        {
            throw MessengerError.BadRequest(BotErrorNames.BotNotFound);
        }

        logger.LogInformation("User {OwnerId} gave bot {BotId} a new token", owner, call.BotId);
        return new BotToken(store.GetUser(call.BotId)!.ToUser(), token);
    }
}

/// <summary>
/// <c>bots.delete</c>, and the bots of an account being deleted: a bot goes as an account goes ("Deleted Account", its
/// token with it, the other modules clean up after <see cref="AccountDeletedEvent"/>); what it sent stays.
/// </summary>
internal sealed class BotRemoval(SessionStore store, PrivacyBook privacy, IPublisher bus, ILogger<BotRemoval> logger)
{
    public async Task DeleteAsync(long botId)
    {
        await store.DeleteAccountAsync(botId);
        await bus.Publish(new AccountDeletedEvent(botId), CancellationToken.None);
        privacy.Forget(botId);
        logger.LogInformation("Bot {BotId} deleted", botId);
    }
}

internal sealed class DeleteBotHandler(BotStore bots, BotRemoval removal, RpcContext caller) : IRequestHandler<DeleteBotCall, Done>
{
    public async ValueTask<Done> Handle(DeleteBotCall call, CancellationToken cancellationToken)
    {
        var owner = caller.RequireUserId();
        if (!bots.OwnedBy(owner).Any(b => b.Id == call.BotId))
        {
            throw MessengerError.BadRequest(BotErrorNames.BotNotFound);
        }

        await removal.DeleteAsync(call.BotId);
        return new Done();
    }
}

internal sealed class SetBotCommandsValidator : AbstractValidator<SetBotCommandsCall>
{
    public SetBotCommandsValidator() =>
        RuleFor(c => c.Commands)
            .Must(commands => commands is { Length: <= BotLimits.MaxCommands }
                && commands.All(c => c is { Command: { } name, Description: { } about }
                    && name.Length is > 0 and <= 32 && name.All(ch => ch is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_')
                    && about.Trim().Length is > 0 and <= 256 && TextRules.IsName(about, 256))
                && commands.Select(c => c.Command).Distinct().Count() == commands.Length)
            .WithErrorCode(BotErrorNames.BotCommandInvalid);
}

/// <summary>
/// A bot's commands (<c>session_bots.commands</c>): set by the bot itself (over the Bot HTTP API's
/// <c>setMyCommands</c>), read by anyone's client to offer them after a <c>/</c>.
/// </summary>
internal sealed class BotCommandsHandler(BotStore bots, RpcContext caller)
    : IRequestHandler<SetBotCommandsCall, Done>, IRequestHandler<GetBotCommandsCall, BotCommands>
{
    public async ValueTask<Done> Handle(SetBotCommandsCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        if (!bots.IsApiBot(me))
        {
            throw MessengerError.Forbidden(BotErrorNames.BotOnly);
        }

        var commands = call.Commands.Select(c => c with { Description = c.Description.Trim() }).ToArray();
        await bots.SetCommandsAsync(me, commands.Length == 0 ? null : WireSerializer.Serialize(commands));
        return new Done();
    }

    public ValueTask<BotCommands> Handle(GetBotCommandsCall call, CancellationToken cancellationToken)
    {
        caller.RequireUserId();
        var stored = bots.Commands(call.BotId) ?? throw MessengerError.BadRequest(BotErrorNames.BotNotFound);
        return ValueTask.FromResult(new BotCommands(stored.Length == 0 ? [] : WireSerializer.Deserialize<BotCommand[]>(stored)));
    }
}
