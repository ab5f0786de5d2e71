using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Messenger.Message.Storage.Migrations
{
    /// <inheritdoc />
    public partial class PinnedMessageList : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "message_pins",
                columns: table => new
                {
                    chat_id = table.Column<long>(type: "INTEGER", nullable: false),
                    msg_id = table.Column<long>(type: "INTEGER", nullable: false),
                    pinned_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_message_pins", x => new { x.chat_id, x.msg_id });
                });

            // Each chat's one pinned message becomes its list's first; when it was pinned was not kept, so the
            // message's own date stands for it.
            migrationBuilder.Sql(
                "INSERT INTO message_pins (chat_id, msg_id, pinned_at) " +
                "SELECT c.id, c.pinned_message_id, m.date FROM message_chats c " +
                "JOIN message_messages m ON m.id = c.pinned_message_id AND m.chat_id = c.id AND m.deleted = 0 " +
                "WHERE c.pinned_message_id <> 0");

            // SQLite's own DROP COLUMN, not EF's rebuild of the table: the rebuild would lose the column defaults that
            // earlier migrations set in SQL, and cannot run in the migration's transaction.
            migrationBuilder.Sql("ALTER TABLE message_chats DROP COLUMN pinned_message_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "pinned_message_id",
                table: "message_chats",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.Sql(
                "UPDATE message_chats SET pinned_message_id = coalesce((SELECT max(msg_id) FROM message_pins WHERE chat_id = message_chats.id), 0)");

            migrationBuilder.DropTable(
                name: "message_pins");
        }
    }
}
