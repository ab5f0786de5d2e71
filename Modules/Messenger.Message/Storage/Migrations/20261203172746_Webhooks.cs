using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Messenger.Message.Storage.Migrations
{
    /// <inheritdoc />
    public partial class Webhooks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "message_webhooks",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    chat_id = table.Column<long>(type: "INTEGER", nullable: false),
                    bot_user_id = table.Column<long>(type: "INTEGER", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    token_hash = table.Column<byte[]>(type: "BLOB", nullable: false),
                    created_by = table.Column<long>(type: "INTEGER", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_message_webhooks", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_message_webhooks_chat_id",
                table: "message_webhooks",
                column: "chat_id");

            migrationBuilder.CreateIndex(
                name: "IX_message_webhooks_token_hash",
                table: "message_webhooks",
                column: "token_hash",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "message_webhooks");
        }
    }
}
