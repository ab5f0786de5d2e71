using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Messenger.Message.Storage.Migrations
{
    /// <summary>
    /// Where a dialog row's history starts (the message that made it): "seen by" names a member only for messages from it
    /// on, so a member added to a small group with history, or added again, is not named for what came before. A column
    /// with a constant default: no table rewrite; rows from before say 0 (every message, as before).
    /// </summary>
    public partial class DialogSince : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "since_id",
                table: "message_dialogs",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "since_id",
                table: "message_dialogs");
        }
    }
}
