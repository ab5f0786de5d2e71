using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Messenger.Message.Storage.Migrations
{
    /// <inheritdoc />
    public partial class ChatDeletes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "deleted",
                table: "message_chats",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateTable(
                name: "message_chat_farewells",
                columns: table => new
                {
                    chat_id = table.Column<long>(type: "INTEGER", nullable: false),
                    user_id = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_message_chat_farewells", x => new { x.chat_id, x.user_id });
                });

            migrationBuilder.CreateIndex(
                name: "IX_message_chats_purging",
                table: "message_chats",
                column: "deleted",
                filter: "deleted = 1");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "message_chat_farewells");

            migrationBuilder.DropIndex(
                name: "IX_message_chats_purging",
                table: "message_chats");

            migrationBuilder.DropColumn(
                name: "deleted",
                table: "message_chats");
        }
    }
}
