using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Messenger.Message.Storage.Migrations
{
    /// <inheritdoc />
    public partial class SearchSenderChatIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_message_messages_from_id_id",
                table: "message_messages");

            migrationBuilder.CreateIndex(
                name: "IX_message_messages_from_id_chat_id_id",
                table: "message_messages",
                columns: new[] { "from_id", "chat_id", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_message_messages_from_id_chat_id_id",
                table: "message_messages");

            migrationBuilder.CreateIndex(
                name: "IX_message_messages_from_id_id",
                table: "message_messages",
                columns: new[] { "from_id", "id" });
        }
    }
}
