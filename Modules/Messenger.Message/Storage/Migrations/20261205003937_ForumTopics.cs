using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Messenger.Message.Storage.Migrations
{
    /// <inheritdoc />
    public partial class ForumTopics : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "topic_id",
                table: "message_scheduled",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "topic_id",
                table: "message_messages",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "forum",
                table: "message_chats",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "message_topics",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false),
                    chat_id = table.Column<long>(type: "INTEGER", nullable: false),
                    title = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    icon_color = table.Column<int>(type: "INTEGER", nullable: false),
                    closed = table.Column<bool>(type: "INTEGER", nullable: false),
                    creator_id = table.Column<long>(type: "INTEGER", nullable: false),
                    date = table.Column<long>(type: "INTEGER", nullable: false),
                    top_message_id = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_message_topics", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_message_messages_topics",
                table: "message_messages",
                columns: new[] { "chat_id", "topic_id", "id" },
                filter: "topic_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_message_topics_chat_id_top_message_id",
                table: "message_topics",
                columns: new[] { "chat_id", "top_message_id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "message_topics");

            migrationBuilder.DropIndex(
                name: "IX_message_messages_topics",
                table: "message_messages");

            migrationBuilder.DropColumn(
                name: "topic_id",
                table: "message_scheduled");

            migrationBuilder.DropColumn(
                name: "topic_id",
                table: "message_messages");

            migrationBuilder.DropColumn(
                name: "forum",
                table: "message_chats");
        }
    }
}
