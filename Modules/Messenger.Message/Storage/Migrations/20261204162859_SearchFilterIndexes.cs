using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Messenger.Message.Storage.Migrations
{
    /// <inheritdoc />
    public partial class SearchFilterIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_message_messages_date",
                table: "message_messages",
                column: "date");

            migrationBuilder.CreateIndex(
                name: "IX_message_messages_from_id_id",
                table: "message_messages",
                columns: new[] { "from_id", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_message_messages_date",
                table: "message_messages");

            migrationBuilder.DropIndex(
                name: "IX_message_messages_from_id_id",
                table: "message_messages");
        }
    }
}
