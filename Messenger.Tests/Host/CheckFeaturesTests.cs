using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Queue.Logs;
using Messenger.Tests.Host;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Media;
using Messenger.Tests.Messages;
using Messenger.Tests.Session;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Tests.Host;

/// <summary><c>check</c> on a healthy directory made with features CheckedData's traffic does not use.</summary>
public sealed class CheckFeaturesTests
{
    [Fact]
    public async Task Check_AfterFeaturesTheFixtureDoesNotUse_IsWhole()
    {
        using var data = new TempDirectory();
        var directory = Path.Combine(data.Path, "data");
        await using (var host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?>
        {
            ["Messenger:Session:RegistrationsPerAddress"] = "1000",
            ["Messenger:Message:SmallGroupLimit"] = "3",
            ["Messenger:Queue:TooLongAfterUpdates"] = "5",
        }, dataDirectory: directory))
        {
            await using var alice = await host.SignUpAsync("alice_r2chk", startEvents: false);
            await using var bob = await host.SignUpAsync("bob_r2chk", startEvents: false);
            await using var carol = await host.SignUpAsync("carol_r2chk", startEvents: false);
            await using var dave = await host.SignUpAsync("dave_r2chk", startEvents: false);

            // Photos: a profile photo and a group photo (images: thumbnails), a sent image.
            await alice.Client.UpdateProfilePhotoAsync(await alice.Client.UploadAsync(MediaTestKit.Png(640, 480, 1), "me.png", "image/png"));
            var small = (await alice.Client.CreateGroupAsync("Converts", [bob.UserId])).Chat;
            var inSmall = Peer.Chat(small.Id);
            await alice.Client.EditChatPhotoAsync(small.Id, await alice.Client.UploadAsync(MediaTestKit.Png(320, 320, 2), "g.png", "image/png"));
            var image = await alice.Client.SendMediaAsync(inSmall, await alice.Client.UploadAsync(MediaTestKit.Png(800, 600, 3), "p.png", "image/png"));
            await bob.Client.SendMessageAsync(inSmall, "before the conversion");
            var hidden = (await bob.Client.SendMessageAsync(inSmall, "hidden by alice")).Message.Id;
            await alice.Client.DeleteMessagesAsync(inSmall, [hidden], revoke: false);
            await alice.Client.SendPollAsync(inSmall, "lunch?", ["yes", "no"]);

            // A forward of the image elsewhere, then the original revoked.
            await alice.Client.ForwardMessagesAsync(inSmall, [image.Message.Id], bob.Peer);
            await alice.Client.DeleteMessagesAsync(inSmall, [image.Message.Id], revoke: true);

            // A scheduled message with media, not sent yet.
            await alice.Client.ScheduleMessageAsync(bob.Peer, "later", DateTimeOffset.UtcNow.AddDays(2),
                media: await alice.Client.UploadAsync(MediaTestKit.RandomBytes(5000, 9)));

            // The small group becomes large (limit 3), with a member added after.
            await alice.Client.AddMembersAsync(small.Id, [carol.UserId]);
            await alice.Client.AddMembersAsync(small.Id, [dave.UserId]);
            await carol.Client.SendMessageAsync(inSmall, "in the large group now");

            // Forum topics in a large group, one deleted.
            var forum = (await alice.Client.CreateGroupAsync("Forum", [bob.UserId], large: true)).Chat;
            await alice.Client.ToggleForumAsync(forum.Id, true);
            var topic = await alice.Client.CreateTopicAsync(Peer.Chat(forum.Id), "Topic");
            await bob.Client.SendMessageAsync(Peer.Chat(forum.Id), "in the topic", topicId: topic.Message.Id);
            var gone = await alice.Client.CreateTopicAsync(Peer.Chat(forum.Id), "Gone");
            await alice.Client.DeleteTopicAsync(Peer.Chat(forum.Id), gone.Message.Id);

            // Enough traffic in alice's log for compaction to drop its oldest entries, then compaction.
            for (var i = 0; i < 12; i++)
            {
                await bob.SendAsync(alice, $"ping {i}");
            }

            (await host.Services.GetRequiredService<LogCompactor>().CompactAsync(CancellationToken.None)).Should().BeGreaterThan(0);
        }

        var (code, output) = CheckCommandTests.Check(directory, "--full", "--hashes");

        code.Should().Be(0, output);
    }
    [Fact]
    public async Task Check_AfterSecretFiles_ABotAndADeletedAccountWithAPhoto_IsWhole()
    {
        using var data = new TempDirectory();
        var directory = Path.Combine(data.Path, "data");
        await using (var host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?>
        {
            ["Messenger:Session:RegistrationsPerAddress"] = "1000",
        }, dataDirectory: directory))
        {
            await using var alice = await SecretDevice.SignUpAsync(host, "alice_r2sec");
            await using var bob = await SecretDevice.SignUpAsync(host, "bob_r2sec");
            var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
            await alice.Client.SendSecretMessageAsync(chatId, "secret words");
            await alice.Client.SendSecretFileAsync(chatId, new MemoryStream(MediaTestKit.RandomBytes(20_000, 11)), "s.bin", "application/octet-stream");
            await bob.Client.SendSecretFileAsync(chatId, new MemoryStream(MediaTestKit.RandomBytes(20_000, 12)), "t.bin", "application/octet-stream");

            await using var carol = await host.SignUpAsync("carol_r2sec", startEvents: false);
            await carol.Client.CreateBotAsync("carol_r2sec_bot", "Carol's bot");
            await carol.Client.UpdateProfilePhotoAsync(await carol.Client.UploadAsync(MediaTestKit.Png(300, 300, 13), "c.png", "image/png"));
            var group = (await carol.Client.CreateGroupAsync("Carol's", [alice.UserId])).Chat;
            await carol.Client.EditChatPhotoAsync(group.Id, await carol.Client.UploadAsync(MediaTestKit.Png(200, 200, 14), "g.png", "image/png"));
            await carol.Client.SendMediaAsync(Peer.Chat(group.Id), await carol.Client.UploadAsync(MediaTestKit.RandomBytes(8000, 15)));
            await carol.Client.DeleteAccountAsync(SessionTestKit.Password);
        }

        var (code, output) = CheckCommandTests.Check(directory, "--full", "--hashes");

        code.Should().Be(0, output);
    }
}
