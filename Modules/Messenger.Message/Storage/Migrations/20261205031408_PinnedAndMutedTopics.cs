using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Messenger.Message.Storage.Migrations
{
    /// <inheritdoc />
    public partial class PinnedAndMutedTopics : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "pin_order",
                table: "message_topics",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.CreateTable(
                name: "message_topic_notify",
                columns: table => new
                {
                    user_id = table.Column<long>(type: "INTEGER", nullable: false),
                    chat_id = table.Column<long>(type: "INTEGER", nullable: false),
                    topic_id = table.Column<long>(type: "INTEGER", nullable: false),
                    mute_until = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_message_topic_notify", x => new { x.user_id, x.chat_id, x.topic_id });
                });

            migrationBuilder.CreateIndex(
                name: "IX_message_topic_notify_chat_id_topic_id",
                table: "message_topic_notify",
                columns: new[] { "chat_id", "topic_id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "message_topic_notify");

            migrationBuilder.DropColumn(
                name: "pin_order",
                table: "message_topics");
        }
    }
}
