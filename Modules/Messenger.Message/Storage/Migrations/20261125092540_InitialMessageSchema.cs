using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Messenger.Message.Storage.Migrations
{
    /// <inheritdoc />
    public partial class InitialMessageSchema : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "message_blocks",
                columns: table => new
                {
                    user_id = table.Column<long>(type: "INTEGER", nullable: false),
                    blocked_id = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_message_blocks", x => new { x.user_id, x.blocked_id });
                });

            migrationBuilder.CreateTable(
                name: "message_chats",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    kind = table.Column<int>(type: "INTEGER", nullable: false),
                    user_low = table.Column<long>(type: "INTEGER", nullable: true),
                    user_high = table.Column<long>(type: "INTEGER", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_message_chats", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "message_dialogs",
                columns: table => new
                {
                    user_id = table.Column<long>(type: "INTEGER", nullable: false),
                    chat_id = table.Column<long>(type: "INTEGER", nullable: false),
                    peer_kind = table.Column<int>(type: "INTEGER", nullable: false),
                    peer_id = table.Column<long>(type: "INTEGER", nullable: false),
                    top_message_id = table.Column<long>(type: "INTEGER", nullable: false),
                    last_activity = table.Column<long>(type: "INTEGER", nullable: false),
                    unread_count = table.Column<int>(type: "INTEGER", nullable: false),
                    incoming_max_id = table.Column<long>(type: "INTEGER", nullable: false),
                    received_max_id = table.Column<long>(type: "INTEGER", nullable: false),
                    read_inbox_max_id = table.Column<long>(type: "INTEGER", nullable: false),
                    read_outbox_max_id = table.Column<long>(type: "INTEGER", nullable: false),
                    delivered_max_id = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_message_dialogs", x => new { x.user_id, x.chat_id });
                });

            migrationBuilder.CreateTable(
                name: "message_hidden",
                columns: table => new
                {
                    user_id = table.Column<long>(type: "INTEGER", nullable: false),
                    message_id = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_message_hidden", x => new { x.user_id, x.message_id });
                });

            migrationBuilder.CreateTable(
                name: "message_messages",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    chat_id = table.Column<long>(type: "INTEGER", nullable: false),
                    from_id = table.Column<long>(type: "INTEGER", nullable: false),
                    random_id = table.Column<long>(type: "INTEGER", nullable: false),
                    to_kind = table.Column<int>(type: "INTEGER", nullable: false),
                    to_id = table.Column<long>(type: "INTEGER", nullable: false),
                    date = table.Column<long>(type: "INTEGER", nullable: false),
                    text = table.Column<string>(type: "TEXT", nullable: false),
                    reply_to_id = table.Column<long>(type: "INTEGER", nullable: true),
                    edit_date = table.Column<long>(type: "INTEGER", nullable: true),
                    deleted = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_message_messages", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_message_chats_user_low_user_high",
                table: "message_chats",
                columns: new[] { "user_low", "user_high" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_message_dialogs_user_id_last_activity",
                table: "message_dialogs",
                columns: new[] { "user_id", "last_activity" });

            migrationBuilder.CreateIndex(
                name: "IX_message_messages_chat_id_id",
                table: "message_messages",
                columns: new[] { "chat_id", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_message_messages_from_id_random_id",
                table: "message_messages",
                columns: new[] { "from_id", "random_id" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "message_blocks");

            migrationBuilder.DropTable(
                name: "message_chats");

            migrationBuilder.DropTable(
                name: "message_dialogs");

            migrationBuilder.DropTable(
                name: "message_hidden");

            migrationBuilder.DropTable(
                name: "message_messages");
        }
    }
}
