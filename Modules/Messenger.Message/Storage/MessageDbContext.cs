using Messenger.Kernel.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Messenger.Message.Storage;

/// <summary>
/// Chats, messages and each user's view of them (dialogs, messages deleted for them, blocks). Message ids are
/// server-wide and increase with time, so "newest first" and "last activity" are id orders. Dates are unix seconds.
/// </summary>
internal sealed class MessageDbContext(DbContextOptions<MessageDbContext> options) : DbContext(options)
{
    public const string MigrationsHistoryTable = "message_migrations";

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<ChatRow>(chat =>
        {
            chat.ToTable("message_chats");
            chat.HasKey(c => c.Id);
            chat.Property(c => c.Id).HasColumnName("id").ValueGeneratedOnAdd();
            chat.Property(c => c.Kind).HasColumnName("kind");
            // A private chat is the pair (lower user id, higher user id); both null for groups.
            chat.Property(c => c.UserLow).HasColumnName("user_low");
            chat.Property(c => c.UserHigh).HasColumnName("user_high");
            chat.HasIndex(c => new { c.UserLow, c.UserHigh }).IsUnique();
            chat.Property(c => c.CreatedAt).HasColumnName("created_at");
            chat.Property(c => c.Title).HasColumnName("title").HasMaxLength(128);
            chat.Property(c => c.CreatorId).HasColumnName("creator_id");
            chat.Property(c => c.MemberCount).HasColumnName("member_count");
            // Large groups keep their newest message here (one row per message, whatever the member count);
            // small groups and private chats keep it in each member's dialog.
            chat.Property(c => c.TopMessageId).HasColumnName("top_message_id");
            chat.Property(c => c.LastActivity).HasColumnName("last_activity");
            // A group's photo: its media descriptor (MessagePack), held in the Media module as MediaHolders.ChatPhotoOf(id).
            chat.Property(c => c.Photo).HasColumnName("photo");
            // A group's description (0–255 characters; empty: none).
            chat.Property(c => c.About).HasColumnName("about").HasMaxLength(255).HasDefaultValue("");
            // Auto-delete: messages posted while it is set are deleted for everyone this many seconds after their date (0: off).
            chat.Property(c => c.TtlPeriod).HasColumnName("ttl_period").HasDefaultValue(0);
            // What plain members of a group may do (ChatRights bits; admins may do all of it). Small groups default to
            // posting, adding members and pinning, large groups to posting; a channel's members post nothing (0).
            chat.Property(c => c.MemberRights).HasColumnName("member_rights").HasDefaultValue(31);
            // Slow mode: a plain member posts at most once in this many seconds (0: off).
            chat.Property(c => c.SlowMode).HasColumnName("slow_mode").HasDefaultValue(0);
            // A group organised in topics (groups.toggleForum); turned off, its topics and their messages' topic_id stay.
            chat.Property(c => c.Forum).HasColumnName("forum").HasDefaultValue(false);
            // groups.delete: 0 live, 1 deleted with its messages still being purged (GroupDeletion), 2 purged. The row
            // stays as a tombstone, emptied; the partial index finds the purges a stop cut short.
            chat.Property(c => c.Deleted).HasColumnName("deleted").HasDefaultValue(0);
            chat.HasIndex(c => c.Deleted).HasFilter("deleted = 1").HasDatabaseName("IX_message_chats_purging");
        });

        modelBuilder.Entity<MemberRow>(member =>
        {
            member.ToTable("message_members");
            member.HasKey(m => new { m.ChatId, m.UserId });
            member.Property(m => m.ChatId).HasColumnName("chat_id");
            member.Property(m => m.UserId).HasColumnName("user_id");
            member.HasIndex(m => m.UserId);
            member.Property(m => m.Role).HasColumnName("role");
            member.Property(m => m.JoinedAt).HasColumnName("joined_at");
            // Large groups: the member's read position (small groups keep it in the dialog row).
            member.Property(m => m.ReadInboxMaxId).HasColumnName("read_inbox_max_id");
            // A bot of the Bot HTTP API: a large group's or channel's messages are also copied into its own log (it reads
            // one log); the partial index finds a chat's few bots.
            member.Property(m => m.IsBot).HasColumnName("is_bot").HasDefaultValue(false);
            member.HasIndex(m => m.ChatId).HasFilter("is_bot = 1").HasDatabaseName("IX_message_members_bots");
            // A chat's admins and creator (join requests' count, a channel's comings and goings): a seek among a channel's
            // many subscribers.
            member.HasIndex(m => m.ChatId, "IX_message_members_admins").HasFilter("role <> 0");
            // Slow mode: when the member last posted (written only while the chat has slow mode on).
            member.Property(m => m.LastPostAt).HasColumnName("last_post_at").HasDefaultValue(0L);
        });

        modelBuilder.Entity<InviteRow>(invite =>
        {
            invite.ToTable("message_invites");
            invite.HasKey(i => i.Code);
            invite.Property(i => i.Code).HasColumnName("code").HasMaxLength(64);
            invite.Property(i => i.ChatId).HasColumnName("chat_id");
            invite.HasIndex(i => i.ChatId);
            invite.Property(i => i.CreatedBy).HasColumnName("created_by");
            invite.Property(i => i.ExpiresAt).HasColumnName("expires_at");
            invite.Property(i => i.UsageLimit).HasColumnName("usage_limit");
            invite.Property(i => i.Usage).HasColumnName("usage");
            invite.Property(i => i.Date).HasColumnName("date").HasDefaultValue(0L);
            invite.Property(i => i.Revoked).HasColumnName("revoked").HasDefaultValue(false);
            invite.Property(i => i.RequestNeeded).HasColumnName("request_needed").HasDefaultValue(false);
        });

        // Who asked to join by a link that needs an admin's approval (JoinRequests), until an admin answers.
        modelBuilder.Entity<JoinRequestRow>(request =>
        {
            request.ToTable("message_join_requests");
            request.HasKey(r => new { r.ChatId, r.UserId });
            request.Property(r => r.ChatId).HasColumnName("chat_id");
            request.Property(r => r.UserId).HasColumnName("user_id");
            request.HasIndex(r => r.UserId);
            request.Property(r => r.Date).HasColumnName("date");
            request.Property(r => r.Code).HasColumnName("code").HasMaxLength(64);
        });

        modelBuilder.Entity<MessageRow>(message =>
        {
            message.ToTable("message_messages");
            message.HasKey(m => m.Id);
            message.Property(m => m.Id).HasColumnName("id").ValueGeneratedOnAdd();
            message.Property(m => m.ChatId).HasColumnName("chat_id");
            message.HasIndex(m => new { m.ChatId, m.Id });
            message.Property(m => m.FromId).HasColumnName("from_id");
            // random_id makes messages.send idempotent per sender.
            message.Property(m => m.RandomId).HasColumnName("random_id");
            message.HasIndex(m => new { m.FromId, m.RandomId }).IsUnique();
            // messages.search's from_id: a sender's messages in one chat newest first (one seek), whatever they posted
            // elsewhere; admin.deleteUserMessages walks it chat by chat.
            message.HasIndex(m => new { m.FromId, m.ChatId, m.Id });
            message.Property(m => m.ToKind).HasColumnName("to_kind");
            message.Property(m => m.ToId).HasColumnName("to_id");
            message.Property(m => m.Date).HasColumnName("date");
            // messages.search's dates become an id window (ids grow with dates) by one seek each.
            message.HasIndex(m => m.Date);
            message.Property(m => m.Text).HasColumnName("text");
            message.Property(m => m.ReplyToId).HasColumnName("reply_to_id");
            // Threads (messages.getReplies, reply counts): only answers are in it, so other messages' inserts pay nothing.
            message.HasIndex(m => m.ReplyToId).HasFilter("reply_to_id IS NOT NULL").HasDatabaseName("IX_message_messages_replies");
            message.Property(m => m.EditDate).HasColumnName("edit_date");
            // Deleted for everyone: the row stays (its random_id still answers a resend), the text is erased.
            message.Property(m => m.Deleted).HasColumnName("deleted");
            // A service message's action (MessagePack of Contracts.Messages.ServiceAction); null for ordinary messages.
            message.Property(m => m.Action).HasColumnName("action");
            // The attached media's descriptor (MessagePack of Contracts.Media.MessageMedia); its references are the Media module's.
            message.Property(m => m.Media).HasColumnName("media");
            // A forwarded copy: who wrote the original (the first author, through forwards of forwards).
            message.Property(m => m.FwdFromId).HasColumnName("fwd_from_id");
            // A poll's question and options (MessagePack of Contracts.Messages.Poll); its votes are in message_poll_*.
            message.Property(m => m.Poll).HasColumnName("poll");
            // When the chat's auto-delete erases the message (unix seconds); null: never. Cleared when it is deleted for everyone.
            message.Property(m => m.ExpiresAt).HasColumnName("expires_at");
            message.HasIndex(m => m.ExpiresAt).HasFilter("expires_at IS NOT NULL");
            // The preview of the text's first link (MessagePack of Contracts.Messages.WebPage), added after the send.
            message.Property(m => m.WebPage).HasColumnName("web_page");
            // A bot's buttons (MessagePack of Contracts.Messages.ReplyMarkup); null for everyone else's messages.
            message.Property(m => m.ReplyMarkup).HasColumnName("reply_markup");
            // Sent without sound (Contracts.Messages.Message.Silent): 0 costs a row what a NULL would (SQLite's header
            // byte alone), and a constant default lets ALTER TABLE add it without rewriting the table.
            message.Property(m => m.Silent).HasColumnName("silent").HasDefaultValue(false);
            // A reply's quote of the replied message (Contracts.Messages.ReplyQuote), as it was checked when sent: kept
            // here, not read from the original, so an edit or a deletion of the original leaves it as it was.
            message.Property(m => m.QuoteText).HasColumnName("quote_text");
            message.Property(m => m.QuoteOffset).HasColumnName("quote_offset");
            // What the message shows in the chat's shared media (Contracts.Messages.SharedMedia's number: a file's kind,
            // or a link in a text); null for the rest, which the partial index leaves out.
            message.Property(m => m.SharedKind).HasColumnName("shared_kind");
            message.HasIndex(m => new { m.ChatId, m.SharedKind, m.Id }).HasFilter("shared_kind IS NOT NULL");
            // A location message's place (MessagePack of Contracts.Messages.MessageGeo: the point, and a live one's period,
            // heading, end and last move). One blob, as poll and web_page: it is only ever read whole with its message, and a
            // live location's move rewrites it whole; null (free) for every other message.
            message.Property(m => m.Geo).HasColumnName("geo");
            // The forum topic the message belongs to (its topic_create message's id); 0 for a group's or channel's message
            // outside topics (General when the group is a forum: the index pages it as it pages a topic), null in private
            // chats, which never have topics: their inserts pay nothing for the index.
            message.Property(m => m.TopicId).HasColumnName("topic_id");
            message.HasIndex(m => new { m.ChatId, m.TopicId, m.Id }).HasFilter("topic_id IS NOT NULL").HasDatabaseName("IX_message_messages_topics");
        });

        // A group's incoming webhooks: only the SHA-256 of each token is kept (the token is told once, when created).
        modelBuilder.Entity<WebhookRow>(hook =>
        {
            hook.ToTable("message_webhooks");
            hook.HasKey(h => h.Id);
            hook.Property(h => h.Id).HasColumnName("id").ValueGeneratedOnAdd();
            hook.Property(h => h.ChatId).HasColumnName("chat_id");
            hook.HasIndex(h => h.ChatId);
            hook.Property(h => h.BotUserId).HasColumnName("bot_user_id");
            hook.Property(h => h.Name).HasColumnName("name").HasMaxLength(64);
            hook.Property(h => h.TokenHash).HasColumnName("token_hash");
            hook.HasIndex(h => h.TokenHash).IsUnique();
            hook.Property(h => h.CreatedBy).HasColumnName("created_by");
            hook.Property(h => h.CreatedAt).HasColumnName("created_at");
        });

        // A poll's state: how many people voted, and whether its author closed it (PollStore).
        modelBuilder.Entity<PollRow>(poll =>
        {
            poll.ToTable("message_polls");
            poll.HasKey(p => p.MessageId);
            poll.Property(p => p.MessageId).HasColumnName("message_id").ValueGeneratedNever();
            poll.Property(p => p.Voters).HasColumnName("voters");
            poll.Property(p => p.Closed).HasColumnName("closed");

            // A quiz's answer and explanation, kept apart from the message's poll so that no message, push or log
            // entry can carry them.
            poll.Property(p => p.CorrectOption).HasColumnName("correct_option");
            poll.Property(p => p.Solution).HasColumnName("solution");
        });

        // A poll's count per option, kept with every vote.
        modelBuilder.Entity<PollOptionRow>(option =>
        {
            option.ToTable("message_poll_options");
            option.HasKey(o => new { o.MessageId, o.Option });
            option.Property(o => o.MessageId).HasColumnName("message_id");
            option.Property(o => o.Option).HasColumnName("option");
            option.Property(o => o.Count).HasColumnName("count");
        });

        // Who chose what: a user's choices in a poll are read together (the key), an option's voters latest first (the index).
        modelBuilder.Entity<PollVoteRow>(vote =>
        {
            vote.ToTable("message_poll_votes");
            vote.HasKey(v => new { v.MessageId, v.UserId, v.Option });
            vote.Property(v => v.MessageId).HasColumnName("message_id");
            vote.Property(v => v.UserId).HasColumnName("user_id");
            vote.Property(v => v.Option).HasColumnName("option");
            vote.Property(v => v.Date).HasColumnName("date");
            vote.HasIndex(v => new { v.MessageId, v.Option, v.Date });
        });

        modelBuilder.Entity<HiddenRow>(hidden =>
        {
            hidden.ToTable("message_hidden");
            hidden.HasKey(h => new { h.UserId, h.MessageId });
            hidden.Property(h => h.UserId).HasColumnName("user_id");
            hidden.Property(h => h.MessageId).HasColumnName("message_id");
            // A revoked message's rows go with it (MessageDeletion.Revoke), found by the message alone.
            hidden.HasIndex(h => h.MessageId);
        });

        // Users' reports of messages to the server's admins, each with a copy of the message as it was (Reports).
        // Open ones are listed newest first (state, id); a message's reports are resolved together (message_id); a
        // user reports a message once (the key).
        modelBuilder.Entity<ReportRow>(report =>
        {
            report.ToTable("message_reports");
            report.HasKey(r => r.Id);
            report.Property(r => r.Id).HasColumnName("id");
            report.Property(r => r.ReporterId).HasColumnName("reporter_id");
            report.Property(r => r.ChatId).HasColumnName("chat_id");
            report.Property(r => r.MessageId).HasColumnName("message_id");
            report.Property(r => r.FromId).HasColumnName("from_id");
            report.Property(r => r.Text).HasColumnName("text");
            report.Property(r => r.Media).HasColumnName("media");
            report.Property(r => r.MessageDate).HasColumnName("message_date");
            report.Property(r => r.Reason).HasColumnName("reason").HasMaxLength(32);
            report.Property(r => r.Comment).HasColumnName("comment");
            report.Property(r => r.Date).HasColumnName("date");
            report.Property(r => r.State).HasColumnName("state");
            report.Property(r => r.ResolvedBy).HasColumnName("resolved_by");
            report.Property(r => r.ResolvedAt).HasColumnName("resolved_at");
            report.HasIndex(r => new { r.ReporterId, r.MessageId }).IsUnique();
            report.HasIndex(r => new { r.State, r.Id });
            report.HasIndex(r => r.MessageId);
        });

        // A group's messages that mention a member (@username) or answer one of theirs, until the member reads past
        // them: a dialog's unread_mentions_count and messages.getUnreadMentions. Rows for a revoked or hidden message
        // are deleted with it (and a count never reads one).
        modelBuilder.Entity<MentionRow>(mention =>
        {
            mention.ToTable("message_mentions");
            mention.HasKey(m => new { m.UserId, m.ChatId, m.MessageId });
            mention.Property(m => m.UserId).HasColumnName("user_id");
            mention.Property(m => m.ChatId).HasColumnName("chat_id");
            mention.Property(m => m.MessageId).HasColumnName("message_id");
            mention.HasIndex(m => m.MessageId);
        });

        // How far a user has read a message's thread (messages.readThread); a row also means they follow it. Keyed by the
        // answered message's id, which is server-wide.
        modelBuilder.Entity<ThreadReadRow>(read =>
        {
            read.ToTable("message_thread_reads");
            read.HasKey(r => new { r.UserId, r.MessageId });
            read.Property(r => r.UserId).HasColumnName("user_id");
            read.Property(r => r.MessageId).HasColumnName("msg_id");
            read.Property(r => r.ReadMaxId).HasColumnName("read_max_id");
            // A revoke deletes a message's rows of every reader (MessageDeletion.Revoke).
            read.HasIndex(r => r.MessageId);
        });

        // How far a user has read a forum's topic (messages.readThread with topic; topic_id 0: General), apart from the
        // answers to the topic's first message (message_thread_reads). The topic's rows go with it (messages.deleteTopic's
        // last unit), a member's with a deleted group.
        modelBuilder.Entity<TopicReadRow>(read =>
        {
            read.ToTable("message_topic_reads");
            read.HasKey(r => new { r.UserId, r.ChatId, r.TopicId });
            read.Property(r => r.UserId).HasColumnName("user_id");
            read.Property(r => r.ChatId).HasColumnName("chat_id");
            read.Property(r => r.TopicId).HasColumnName("topic_id");
            read.Property(r => r.ReadMaxId).HasColumnName("read_max_id");
            read.HasIndex(r => new { r.ChatId, r.TopicId });
        });

        modelBuilder.Entity<DialogRow>(dialog =>
        {
            dialog.ToTable("message_dialogs");
            dialog.HasKey(d => new { d.UserId, d.ChatId });
            dialog.Property(d => d.UserId).HasColumnName("user_id");
            dialog.Property(d => d.ChatId).HasColumnName("chat_id");
            dialog.Property(d => d.PeerKind).HasColumnName("peer_kind");
            dialog.Property(d => d.PeerId).HasColumnName("peer_id");
            dialog.Property(d => d.TopMessageId).HasColumnName("top_message_id");
            dialog.Property(d => d.LastActivity).HasColumnName("last_activity");
            dialog.Property(d => d.UnreadCount).HasColumnName("unread_count");
            dialog.Property(d => d.IncomingMaxId).HasColumnName("incoming_max_id");
            dialog.Property(d => d.ReceivedMaxId).HasColumnName("received_max_id");
            dialog.Property(d => d.ReadInboxMaxId).HasColumnName("read_inbox_max_id");
            dialog.Property(d => d.ReadOutboxMaxId).HasColumnName("read_outbox_max_id");
            dialog.Property(d => d.DeliveredMaxId).HasColumnName("delivered_max_id");
            // The message that made the row: where this user's history in the chat starts (a member added to a small
            // group with history, or added again); "seen by" names them only from it on. 0 for rows from before it.
            dialog.Property(d => d.SinceId).HasColumnName("since_id").HasDefaultValue(0L);
        });

        // A user's mute of a chat (any kind; large groups have no dialog row), only while it lasts in the future when set.
        modelBuilder.Entity<NotifyRow>(notify =>
        {
            notify.ToTable("message_notify");
            notify.HasKey(n => new { n.UserId, n.ChatId });
            notify.Property(n => n.UserId).HasColumnName("user_id");
            notify.Property(n => n.ChatId).HasColumnName("chat_id");
            notify.Property(n => n.MuteUntil).HasColumnName("mute_until");
        });

        // A chat's pinned messages, for everyone in it (at most PinnedMessages.MaxPinned), newest message first: the key
        // is the order. pinned_at (unix seconds) is when, kept for the record.
        modelBuilder.Entity<MessagePinRow>(pin =>
        {
            pin.ToTable("message_pins");
            pin.HasKey(p => new { p.ChatId, p.MessageId });
            pin.Property(p => p.ChatId).HasColumnName("chat_id");
            pin.Property(p => p.MessageId).HasColumnName("msg_id");
            pin.Property(p => p.PinnedAt).HasColumnName("pinned_at");
        });

        // The chats a user keeps at the top of their list (at most a few), most recently pinned first.
        modelBuilder.Entity<DialogPinRow>(pin =>
        {
            pin.ToTable("message_dialog_pins");
            pin.HasKey(p => new { p.UserId, p.ChatId });
            pin.Property(p => p.UserId).HasColumnName("user_id");
            pin.Property(p => p.ChatId).HasColumnName("chat_id");
            pin.Property(p => p.PinnedAt).HasColumnName("pinned_at");
        });

        // The chats a user moved out of their main list.
        modelBuilder.Entity<DialogArchiveRow>(archive =>
        {
            archive.ToTable("message_dialog_archive");
            archive.HasKey(a => new { a.UserId, a.ChatId });
            archive.Property(a => a.UserId).HasColumnName("user_id");
            archive.Property(a => a.ChatId).HasColumnName("chat_id");
        });

        // A user's chat folders (DialogFolders): the folder as the client wrote it (MessagePack of DialogFilter), and its
        // place among the user's tabs.
        modelBuilder.Entity<DialogFolderRow>(folder =>
        {
            folder.ToTable("message_dialog_folders");
            folder.HasKey(f => new { f.UserId, f.FolderId });
            folder.Property(f => f.UserId).HasColumnName("user_id");
            folder.Property(f => f.FolderId).HasColumnName("folder_id");
            folder.Property(f => f.Position).HasColumnName("position");
            folder.Property(f => f.Body).HasColumnName("body");
        });

        // Messages waiting to be sent at their date, as their author, with their random_id (ScheduledSender).
        modelBuilder.Entity<ScheduledRow>(scheduled =>
        {
            scheduled.ToTable("message_scheduled");
            scheduled.HasKey(s => s.Id);
            scheduled.Property(s => s.Id).HasColumnName("id");
            scheduled.Property(s => s.UserId).HasColumnName("user_id");
            scheduled.Property(s => s.PeerKind).HasColumnName("peer_kind");
            scheduled.Property(s => s.PeerId).HasColumnName("peer_id");
            scheduled.Property(s => s.RandomId).HasColumnName("random_id");
            scheduled.Property(s => s.Text).HasColumnName("text");
            scheduled.Property(s => s.ReplyToId).HasColumnName("reply_to_id");
            scheduled.Property(s => s.Date).HasColumnName("date");
            // Its file (MessagePack of Contracts.Media.MessageMedia), held as MediaHolders.ScheduledOf(id) until sent.
            scheduled.Property(s => s.Media).HasColumnName("media");
            // To be sent without sound (messages.sendScheduled's silent).
            scheduled.Property(s => s.Silent).HasColumnName("silent").HasDefaultValue(false);
            // Its reply's quote, checked when scheduled and sent as it is.
            scheduled.Property(s => s.QuoteText).HasColumnName("quote_text");
            scheduled.Property(s => s.QuoteOffset).HasColumnName("quote_offset");
            // Its forum topic (null: none, or General).
            scheduled.Property(s => s.TopicId).HasColumnName("topic_id");
            // Failed tries to send it (refused for now, or an unexpected error), and the time (unix seconds) before which it
            // is not tried again: a wait that grows, so rows that keep failing do not hold up the ones due after them.
            scheduled.Property(s => s.Attempts).HasColumnName("attempts").HasDefaultValue(0);
            scheduled.Property(s => s.RetryAt).HasColumnName("retry_at").HasDefaultValue(0L);
            scheduled.HasIndex(s => s.Date);
            scheduled.HasIndex(s => new { s.UserId, s.RandomId }).IsUnique();
        });

        // The chats a user marked unread to come back to.
        modelBuilder.Entity<UnreadMarkRow>(mark =>
        {
            mark.ToTable("message_unread_marks");
            mark.HasKey(m => new { m.UserId, m.ChatId });
            mark.Property(m => m.UserId).HasColumnName("user_id");
            mark.Property(m => m.ChatId).HasColumnName("chat_id");
        });

        // A user's unsent text in a chat (any kind), kept for their other devices.
        modelBuilder.Entity<DraftRow>(draft =>
        {
            draft.ToTable("message_drafts");
            draft.HasKey(d => new { d.UserId, d.ChatId });
            draft.Property(d => d.UserId).HasColumnName("user_id");
            draft.Property(d => d.ChatId).HasColumnName("chat_id");
            draft.Property(d => d.Text).HasColumnName("text");
            draft.Property(d => d.ReplyToId).HasColumnName("reply_to_id");
            draft.Property(d => d.Date).HasColumnName("date");
            draft.Property(d => d.QuoteText).HasColumnName("quote_text");
            draft.Property(d => d.QuoteOffset).HasColumnName("quote_offset");
        });

        // One reaction per user per message; a message's are read together (the key's first column).
        modelBuilder.Entity<ReactionRow>(reaction =>
        {
            reaction.ToTable("message_reactions");
            reaction.HasKey(r => new { r.MessageId, r.UserId });
            reaction.Property(r => r.MessageId).HasColumnName("message_id");
            reaction.Property(r => r.UserId).HasColumnName("user_id");
            reaction.Property(r => r.Reaction).HasColumnName("reaction").HasMaxLength(32);
            reaction.Property(r => r.Date).HasColumnName("date");
        });

        // Users an admin removed from a group: no way back by an invite link, nor added by a plain member.
        modelBuilder.Entity<BanRow>(ban =>
        {
            ban.ToTable("message_bans");
            ban.HasKey(b => new { b.ChatId, b.UserId });
            ban.Property(b => b.ChatId).HasColumnName("chat_id");
            ban.Property(b => b.UserId).HasColumnName("user_id");
            ban.Property(b => b.BannedBy).HasColumnName("banned_by");
            ban.Property(b => b.Date).HasColumnName("date");
            ban.HasIndex(b => b.UserId);
        });

        // The members of a deleted chat still to be told (groups.delete): the unit that deletes it moves its members here,
        // and the units after it append their chat update 1,000 at a time (GroupDeletion), so no unit grows with the chat.
        modelBuilder.Entity<FarewellRow>(farewell =>
        {
            farewell.ToTable("message_chat_farewells");
            farewell.HasKey(f => new { f.ChatId, f.UserId });
            farewell.Property(f => f.ChatId).HasColumnName("chat_id");
            farewell.Property(f => f.UserId).HasColumnName("user_id");
        });

        // Former members whose chat folders named the chat when they left or were removed (GroupStore.RemoveMember): a
        // deletion of the chat takes it out of their folders too, 1,000 to a unit (GroupDeletion), as it does its members'.
        modelBuilder.Entity<FormerMemberRow>(former =>
        {
            former.ToTable("message_former_members");
            former.HasKey(f => new { f.ChatId, f.UserId });
            former.Property(f => f.ChatId).HasColumnName("chat_id");
            former.Property(f => f.UserId).HasColumnName("user_id");
        });

        // A message's reaction totals, kept with every change (ReactionStore): since = the rowid of the reaction that
        // gave the kind its first count (the order among equal counts).
        modelBuilder.Entity<ReactionCountRow>(count =>
        {
            count.ToTable("message_reaction_counts");
            count.HasKey(c => new { c.MessageId, c.Reaction });
            count.Property(c => c.MessageId).HasColumnName("message_id");
            count.Property(c => c.Reaction).HasColumnName("reaction").HasMaxLength(32);
            count.Property(c => c.Count).HasColumnName("count");
            count.Property(c => c.Since).HasColumnName("since");
        });

        // Where each resumable background pass over a table stands (DescriptorThumbnailPass): the last id it is done with.
        modelBuilder.Entity<PassCursorRow>(pass =>
        {
            pass.ToTable("message_passes");
            pass.HasKey(p => p.Name);
            pass.Property(p => p.Name).HasColumnName("name").HasMaxLength(64);
            pass.Property(p => p.Cursor).HasColumnName("cursor");
        });

        // A forum's topics (messages.createTopic): keyed by the id of the topic_create service message that opened it.
        // top_message_id is the topic's newest message (its last activity, since ids grow with time): the topic list's
        // order, read by the (chat_id, top_message_id) index.
        modelBuilder.Entity<TopicRow>(topic =>
        {
            topic.ToTable("message_topics");
            topic.HasKey(t => t.Id);
            topic.Property(t => t.Id).HasColumnName("id").ValueGeneratedNever();
            topic.Property(t => t.ChatId).HasColumnName("chat_id");
            topic.Property(t => t.Title).HasColumnName("title").HasMaxLength(128);
            topic.Property(t => t.IconColor).HasColumnName("icon_color");
            topic.Property(t => t.Closed).HasColumnName("closed");
            topic.Property(t => t.CreatorId).HasColumnName("creator_id");
            topic.Property(t => t.Date).HasColumnName("date");
            topic.Property(t => t.TopMessageId).HasColumnName("top_message_id");
            // Set by messages.deleteTopic's first unit and kept until its last one deletes the row: an interrupted delete
            // leaves a topic nobody sees or posts to, which a retried deleteTopic (or the next start) finishes.
            topic.Property(t => t.Deleting).HasColumnName("deleting");
            // messages.updatePinnedTopic: 0 unpinned; else the pin's place, one more than the forum's highest when pinned,
            // so the latest pinned lists first (a clock would tie two pins in one second). A forum has few topics: its
            // pinned ones are read from its (chat_id, top_message_id) range.
            topic.Property(t => t.PinOrder).HasColumnName("pin_order").HasDefaultValue(0L);
            topic.HasIndex(t => new { t.ChatId, t.TopMessageId });
        });

        // Secret chats (SecretChats): who asked (admin) and who accepted (participant), the one device of each the chat
        // is bound to, the public keys and the participant's key fingerprint; never a key or a message. The admin's
        // random_id makes secret.requestChat idempotent; a user's chats are listed by admin_id (that key) and
        // participant_id; a signed-out device's by its key; discarded ones are swept 30 days after their end.
        modelBuilder.Entity<SecretChatRow>(chat =>
        {
            chat.ToTable("message_secret_chats");
            chat.HasKey(c => c.Id);
            chat.Property(c => c.Id).HasColumnName("id").ValueGeneratedNever();
            chat.Property(c => c.AdminId).HasColumnName("admin_id");
            chat.Property(c => c.ParticipantId).HasColumnName("participant_id");
            chat.Property(c => c.AdminDevice).HasColumnName("admin_device");
            chat.Property(c => c.ParticipantDevice).HasColumnName("participant_device");
            chat.Property(c => c.State).HasColumnName("state");
            chat.Property(c => c.GA).HasColumnName("g_a");
            chat.Property(c => c.GB).HasColumnName("g_b");
            chat.Property(c => c.KeyFingerprint).HasColumnName("key_fingerprint");
            chat.Property(c => c.RandomId).HasColumnName("random_id");
            chat.Property(c => c.Reason).HasColumnName("reason").HasMaxLength(32);
            chat.Property(c => c.HistoryDeleted).HasColumnName("history_deleted");
            chat.Property(c => c.Date).HasColumnName("date");
            chat.Property(c => c.DiscardedAt).HasColumnName("discarded_at");
            // How far each side read the other's messages (server dates): encrypted_read is logged only when it moves.
            chat.Property(c => c.AdminReadDate).HasColumnName("admin_read_date");
            chat.Property(c => c.ParticipantReadDate).HasColumnName("participant_read_date");
            chat.HasIndex(c => new { c.AdminId, c.RandomId }).IsUnique();
            // The chats one user started with another in the last day (secret.requestChat's per-person limit).
            chat.HasIndex(c => new { c.AdminId, c.ParticipantId, c.Date });
            chat.HasIndex(c => c.ParticipantId);
            chat.HasIndex(c => c.AdminDevice);
            chat.HasIndex(c => c.ParticipantDevice);
            chat.HasIndex(c => c.DiscardedAt).HasFilter("discarded_at IS NOT NULL");
        });

        // secret.sendEncrypted's idempotency: one row per message sent (no content), deleted with the chat's end or a week on.
        modelBuilder.Entity<SecretSendRow>(send =>
        {
            send.ToTable("message_secret_sends");
            send.HasKey(s => new { s.ChatId, s.FromId, s.RandomId });
            send.Property(s => s.ChatId).HasColumnName("chat_id");
            send.Property(s => s.FromId).HasColumnName("from_id");
            send.Property(s => s.RandomId).HasColumnName("random_id");
            send.Property(s => s.Date).HasColumnName("date");
            // The hourly sweep deletes those older than a week (a resend after that is no longer recognised).
            send.HasIndex(s => s.Date);
        });

        // The encrypted files of secret chats: each row holds one media reference (holder MediaHolders.SecretFileOf(id)),
        // so the Media module can ask who may read it; the rows and their references go when the chat is discarded.
        // random_id and from_id name the message that carried it (a resend of it attaches nothing again and answers the
        // same file).
        modelBuilder.Entity<SecretFileRow>(file =>
        {
            file.ToTable("message_secret_files");
            file.HasKey(f => f.Id);
            file.Property(f => f.Id).HasColumnName("id").ValueGeneratedOnAdd();
            file.Property(f => f.ChatId).HasColumnName("chat_id");
            file.Property(f => f.FromId).HasColumnName("from_id");
            file.Property(f => f.RandomId).HasColumnName("random_id");
            file.Property(f => f.MediaId).HasColumnName("media_id");
            file.Property(f => f.Size).HasColumnName("size");
            file.HasIndex(f => new { f.ChatId, f.FromId, f.RandomId });
        });

        // A user's mute of one forum topic (topic_id 0: General), only while it lasts in the future when set; it adds to
        // the chat's own mute (message_notify). The topic's rows go with it (messages.deleteTopic's last unit).
        modelBuilder.Entity<TopicNotifyRow>(notify =>
        {
            notify.ToTable("message_topic_notify");
            notify.HasKey(n => new { n.UserId, n.ChatId, n.TopicId });
            notify.Property(n => n.UserId).HasColumnName("user_id");
            notify.Property(n => n.ChatId).HasColumnName("chat_id");
            notify.Property(n => n.TopicId).HasColumnName("topic_id");
            notify.Property(n => n.MuteUntil).HasColumnName("mute_until");
            notify.HasIndex(n => new { n.ChatId, n.TopicId });
        });

        modelBuilder.Entity<BlockRow>(block =>
        {
            block.ToTable("message_blocks");
            block.HasKey(b => new { b.UserId, b.BlockedId });
            block.Property(b => b.UserId).HasColumnName("user_id");
            block.Property(b => b.BlockedId).HasColumnName("blocked_id");
        });
    }
}

internal sealed class ChatRow
{
    public long Id { get; set; }

    public int Kind { get; set; }

    public long? UserLow { get; set; }

    public long? UserHigh { get; set; }

    public long CreatedAt { get; set; }

    public string? Title { get; set; }

    public long? CreatorId { get; set; }

    public int MemberCount { get; set; }

    public long TopMessageId { get; set; }

    public long LastActivity { get; set; }

    public byte[]? Photo { get; set; }

    public int Deleted { get; set; }

    public string About { get; set; } = "";

    public int TtlPeriod { get; set; }

    public int MemberRights { get; set; }

    public int SlowMode { get; set; }

    public bool Forum { get; set; }
}

internal sealed class MemberRow
{
    public long ChatId { get; set; }

    public long UserId { get; set; }

    public int Role { get; set; }

    public long JoinedAt { get; set; }

    public long ReadInboxMaxId { get; set; }

    public bool IsBot { get; set; }

    public long LastPostAt { get; set; }
}

internal sealed class InviteRow
{
    public string Code { get; set; } = "";

    public long ChatId { get; set; }

    public long CreatedBy { get; set; }

    public long? ExpiresAt { get; set; }

    public int? UsageLimit { get; set; }

    public int Usage { get; set; }

    public long Date { get; set; }

    public bool Revoked { get; set; }

    public bool RequestNeeded { get; set; }
}

internal sealed class JoinRequestRow
{
    public long ChatId { get; set; }

    public long UserId { get; set; }

    public long Date { get; set; }

    public string Code { get; set; } = "";
}

internal sealed class MessageRow
{
    public long Id { get; set; }

    public long ChatId { get; set; }

    public long FromId { get; set; }

    public long RandomId { get; set; }

    public int ToKind { get; set; }

    public long ToId { get; set; }

    public long Date { get; set; }

    public string Text { get; set; } = "";

    public long? ReplyToId { get; set; }

    public long? EditDate { get; set; }

    public bool Deleted { get; set; }

    public byte[]? Action { get; set; }

    public byte[]? Media { get; set; }

    public long? FwdFromId { get; set; }

    public byte[]? Poll { get; set; }

    public long? ExpiresAt { get; set; }

    public byte[]? WebPage { get; set; }

    public byte[]? ReplyMarkup { get; set; }

    public int? SharedKind { get; set; }

    public bool Silent { get; set; }

    public string? QuoteText { get; set; }

    public int? QuoteOffset { get; set; }

    public byte[]? Geo { get; set; }

    public long? TopicId { get; set; }
}

internal sealed class TopicRow
{
    public long Id { get; set; }

    public long ChatId { get; set; }

    public string Title { get; set; } = "";

    public int IconColor { get; set; }

    public bool Closed { get; set; }

    public long CreatorId { get; set; }

    public long Date { get; set; }

    public long TopMessageId { get; set; }

    public bool Deleting { get; set; }

    public long PinOrder { get; set; }
}

internal sealed class TopicNotifyRow
{
    public long UserId { get; set; }

    public long ChatId { get; set; }

    public long TopicId { get; set; }

    public long MuteUntil { get; set; }
}

internal sealed class WebhookRow
{
    public long Id { get; set; }

    public long ChatId { get; set; }

    public long BotUserId { get; set; }

    public string Name { get; set; } = "";

    public byte[] TokenHash { get; set; } = [];

    public long CreatedBy { get; set; }

    public long CreatedAt { get; set; }
}

internal sealed class PollRow
{
    public long MessageId { get; set; }

    public int Voters { get; set; }

    public bool Closed { get; set; }

    public int? CorrectOption { get; set; }

    public string? Solution { get; set; }
}

internal sealed class ReportRow
{
    public long Id { get; set; }

    public long ReporterId { get; set; }

    public long ChatId { get; set; }

    public long MessageId { get; set; }

    public long FromId { get; set; }

    public string Text { get; set; } = "";

    public string? Media { get; set; }

    public long MessageDate { get; set; }

    public string Reason { get; set; } = "";

    public string? Comment { get; set; }

    public long Date { get; set; }

    public int State { get; set; }

    public long? ResolvedBy { get; set; }

    public long? ResolvedAt { get; set; }
}

internal sealed class PollOptionRow
{
    public long MessageId { get; set; }

    public int Option { get; set; }

    public int Count { get; set; }
}

internal sealed class PollVoteRow
{
    public long MessageId { get; set; }

    public long UserId { get; set; }

    public int Option { get; set; }

    public long Date { get; set; }
}

internal sealed class TopicReadRow
{
    public long UserId { get; set; }

    public long ChatId { get; set; }

    public long TopicId { get; set; }

    public long ReadMaxId { get; set; }
}

internal sealed class ThreadReadRow
{
    public long UserId { get; set; }

    public long MessageId { get; set; }

    public long ReadMaxId { get; set; }
}

internal sealed class MentionRow
{
    public long UserId { get; set; }

    public long ChatId { get; set; }

    public long MessageId { get; set; }
}

internal sealed class HiddenRow
{
    public long UserId { get; set; }

    public long MessageId { get; set; }
}

internal sealed class DialogRow
{
    public long UserId { get; set; }

    public long ChatId { get; set; }

    public int PeerKind { get; set; }

    public long PeerId { get; set; }

    public long TopMessageId { get; set; }

    public long LastActivity { get; set; }

    public int UnreadCount { get; set; }

    public long IncomingMaxId { get; set; }

    public long ReceivedMaxId { get; set; }

    public long ReadInboxMaxId { get; set; }

    public long ReadOutboxMaxId { get; set; }

    public long DeliveredMaxId { get; set; }

    public long SinceId { get; set; }
}

internal sealed class NotifyRow
{
    public long UserId { get; set; }

    public long ChatId { get; set; }

    public long MuteUntil { get; set; }
}

internal sealed class MessagePinRow
{
    public long ChatId { get; set; }

    public long MessageId { get; set; }

    public long PinnedAt { get; set; }
}

internal sealed class DialogPinRow
{
    public long UserId { get; set; }

    public long ChatId { get; set; }

    public long PinnedAt { get; set; }
}

internal sealed class DraftRow
{
    public long UserId { get; set; }

    public long ChatId { get; set; }

    public string Text { get; set; } = "";

    public long? ReplyToId { get; set; }

    public long Date { get; set; }

    public string? QuoteText { get; set; }

    public int? QuoteOffset { get; set; }
}

internal sealed class DialogArchiveRow
{
    public long UserId { get; set; }

    public long ChatId { get; set; }
}

internal sealed class DialogFolderRow
{
    public long UserId { get; set; }

    public int FolderId { get; set; }

    public int Position { get; set; }

    public byte[] Body { get; set; } = [];
}

internal sealed class ScheduledRow
{
    public long Id { get; set; }

    public long UserId { get; set; }

    public int PeerKind { get; set; }

    public long PeerId { get; set; }

    public long RandomId { get; set; }

    public string Text { get; set; } = "";

    public long? ReplyToId { get; set; }

    public long Date { get; set; }

    public byte[]? Media { get; set; }

    public bool Silent { get; set; }

    public string? QuoteText { get; set; }

    public int? QuoteOffset { get; set; }

    public long? TopicId { get; set; }

    public int Attempts { get; set; }

    public long RetryAt { get; set; }
}

internal sealed class UnreadMarkRow
{
    public long UserId { get; set; }

    public long ChatId { get; set; }
}

internal sealed class BanRow
{
    public long ChatId { get; set; }

    public long UserId { get; set; }

    public long BannedBy { get; set; }

    public long Date { get; set; }
}

internal sealed class FarewellRow
{
    public long ChatId { get; set; }

    public long UserId { get; set; }
}

internal sealed class FormerMemberRow
{
    public long ChatId { get; set; }

    public long UserId { get; set; }
}

internal sealed class ReactionCountRow
{
    public long MessageId { get; set; }

    public string Reaction { get; set; } = "";

    public int Count { get; set; }

    public long Since { get; set; }
}

internal sealed class ReactionRow
{
    public long MessageId { get; set; }

    public long UserId { get; set; }

    public string Reaction { get; set; } = "";

    public long Date { get; set; }
}

internal sealed class PassCursorRow
{
    public string Name { get; set; } = "";

    public long Cursor { get; set; }
}

internal sealed class SecretFileRow
{
    public long Id { get; set; }

    public long ChatId { get; set; }

    public long FromId { get; set; }

    public long RandomId { get; set; }

    public long MediaId { get; set; }

    public long Size { get; set; }
}

internal sealed class SecretChatRow
{
    public long Id { get; set; }

    public long AdminId { get; set; }

    public long ParticipantId { get; set; }

    public byte[] AdminDevice { get; set; } = [];

    public byte[]? ParticipantDevice { get; set; }

    public int State { get; set; }

    public byte[] GA { get; set; } = [];

    public byte[]? GB { get; set; }

    public long KeyFingerprint { get; set; }

    public long RandomId { get; set; }

    public string? Reason { get; set; }

    public bool HistoryDeleted { get; set; }

    public long Date { get; set; }

    public long? DiscardedAt { get; set; }

    public long AdminReadDate { get; set; }

    public long ParticipantReadDate { get; set; }
}

internal sealed class SecretSendRow
{
    public long ChatId { get; set; }

    public long FromId { get; set; }

    public long RandomId { get; set; }

    public long Date { get; set; }
}

internal sealed class BlockRow
{
    public long UserId { get; set; }

    public long BlockedId { get; set; }
}

internal sealed class MessageDbContextFactory : IDesignTimeDbContextFactory<MessageDbContext>
{
    public MessageDbContext CreateDbContext(string[] args) =>
        new(ModuleStorage.DesignTimeOptions<MessageDbContext>(MessageDbContext.MigrationsHistoryTable));
}
