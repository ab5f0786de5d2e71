using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Messenger.Message.Storage.Migrations
{
    /// <inheritdoc />
    public partial class SharedMedia : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "shared_kind",
                table: "message_messages",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_message_messages_chat_id_shared_kind_id",
                table: "message_messages",
                columns: new[] { "chat_id", "shared_kind", "id" },
                filter: "shared_kind IS NOT NULL");

            // Messages stored before this column get theirs.
            migrationBuilder.Sql(SharedKinds.Backfill);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_message_messages_chat_id_shared_kind_id",
                table: "message_messages");

            migrationBuilder.DropColumn(
                name: "shared_kind",
                table: "message_messages");
        }
    }
}
