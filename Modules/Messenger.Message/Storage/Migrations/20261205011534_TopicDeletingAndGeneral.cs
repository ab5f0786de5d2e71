using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Messenger.Message.Storage.Migrations
{
    /// <inheritdoc />
    public partial class TopicDeletingAndGeneral : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "deleting",
                table: "message_topics",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            // A group's or channel's messages outside topics carry topic_id 0, so a forum's General is paged by
            // IX_message_messages_topics as a topic is (its filter, topic_id IS NOT NULL, now holds them); private chats
            // keep null. PeerKind.Chat is 2.
            migrationBuilder.Sql("UPDATE message_messages SET topic_id = 0 WHERE topic_id IS NULL AND to_kind = 2");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("UPDATE message_messages SET topic_id = NULL WHERE topic_id = 0");
            migrationBuilder.DropColumn(
                name: "deleting",
                table: "message_topics");
        }
    }
}
