using Messenger.Kernel.Storage;
using Messenger.Kernel.Users;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Messenger.Message.Bots;

/// <summary>
/// At start, marks the bots among groups' members (<c>message_members.is_bot</c>, set when a bot is added): memberships
/// from before the column get theirs, so their large groups' messages reach them too. A few rows: bots are few.
/// </summary>
internal sealed class BotMemberSync(IBotAccounts bots, StorageWriter writer, ILogger<BotMemberSync> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var ids = bots.ApiBotIds();
        if (ids.Count == 0)
        {
            return;
        }

        try
        {
            await writer.WriteAsync(scope =>
            {
                foreach (var id in ids)
                {
                    scope.Execute("UPDATE message_members SET is_bot = 1 WHERE user_id = @user AND is_bot = 0", ("@user", id));
                }
            }, stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The next start tries again; until then those bots see their small groups and private chats only.
            logger.LogWarning(e, "Marking the bots among group members failed");
        }
    }
}
