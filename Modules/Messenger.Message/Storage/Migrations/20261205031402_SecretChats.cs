using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Messenger.Message.Storage.Migrations
{
    /// <inheritdoc />
    public partial class SecretChats : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "message_secret_chats",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false),
                    admin_id = table.Column<long>(type: "INTEGER", nullable: false),
                    participant_id = table.Column<long>(type: "INTEGER", nullable: false),
                    admin_device = table.Column<byte[]>(type: "BLOB", nullable: false),
                    participant_device = table.Column<byte[]>(type: "BLOB", nullable: true),
                    state = table.Column<int>(type: "INTEGER", nullable: false),
                    g_a = table.Column<byte[]>(type: "BLOB", nullable: false),
                    g_b = table.Column<byte[]>(type: "BLOB", nullable: true),
                    key_fingerprint = table.Column<long>(type: "INTEGER", nullable: false),
                    random_id = table.Column<long>(type: "INTEGER", nullable: false),
                    reason = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    history_deleted = table.Column<bool>(type: "INTEGER", nullable: false),
                    date = table.Column<long>(type: "INTEGER", nullable: false),
                    discarded_at = table.Column<long>(type: "INTEGER", nullable: true),
                    admin_read_date = table.Column<long>(type: "INTEGER", nullable: false),
                    participant_read_date = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_message_secret_chats", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "message_secret_sends",
                columns: table => new
                {
                    chat_id = table.Column<long>(type: "INTEGER", nullable: false),
                    from_id = table.Column<long>(type: "INTEGER", nullable: false),
                    random_id = table.Column<long>(type: "INTEGER", nullable: false),
                    date = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_message_secret_sends", x => new { x.chat_id, x.from_id, x.random_id });
                });

            migrationBuilder.CreateIndex(
                name: "IX_message_secret_chats_admin_device",
                table: "message_secret_chats",
                column: "admin_device");

            migrationBuilder.CreateIndex(
                name: "IX_message_secret_chats_admin_id_random_id",
                table: "message_secret_chats",
                columns: new[] { "admin_id", "random_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_message_secret_chats_discarded_at",
                table: "message_secret_chats",
                column: "discarded_at",
                filter: "discarded_at IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_message_secret_chats_participant_device",
                table: "message_secret_chats",
                column: "participant_device");

            migrationBuilder.CreateIndex(
                name: "IX_message_secret_chats_participant_id",
                table: "message_secret_chats",
                column: "participant_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "message_secret_chats");

            migrationBuilder.DropTable(
                name: "message_secret_sends");
        }
    }
}
