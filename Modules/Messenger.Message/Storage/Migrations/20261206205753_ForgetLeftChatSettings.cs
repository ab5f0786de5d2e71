using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Messenger.Message.Storage.Migrations
{
    /// <summary>
    /// Data only: deletes the settings users kept of groups they are no longer in (a leave or removal left them until
    /// GroupStore.RemoveMember took them along): dialog pins (each held one of the few slots for good), archive entries,
    /// unread marks, mutes, drafts and topic mutes. Private chats' rows stay; a deleted group's went with it already.
    /// </summary>
    public partial class ForgetLeftChatSettings : Migration
    {
        private static readonly string[] Tables =
            ["message_notify", "message_dialog_pins", "message_dialog_archive", "message_unread_marks", "message_drafts", "message_topic_notify"];

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            foreach (var table in Tables)
            {
                migrationBuilder.Sql(
                    $"DELETE FROM {table} WHERE chat_id IN (SELECT id FROM message_chats WHERE kind IN (2, 3, 4)) " +
                    $"AND NOT EXISTS (SELECT 1 FROM message_members mm WHERE mm.chat_id = {table}.chat_id AND mm.user_id = {table}.user_id)");
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // What was deleted was of no use; nothing to put back.
        }
    }
}
