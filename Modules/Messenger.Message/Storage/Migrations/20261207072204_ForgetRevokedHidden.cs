using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Messenger.Message.Storage.Migrations
{
    /// <summary>
    /// An index on message_hidden by message alone: a delete for everyone now deletes the message's "deleted for me" marks
    /// of every member (MessageDeletion.Revoke), which nothing deleted before (a deleted group left every member's behind).
    /// Those of the messages already revoked go here, in one statement, so an upgraded database is cleaned too.
    /// </summary>
    public partial class ForgetRevokedHidden : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DELETE FROM message_hidden WHERE message_id IN (SELECT id FROM message_messages WHERE deleted = 1)");

            migrationBuilder.CreateIndex(
                name: "IX_message_hidden_message_id",
                table: "message_hidden",
                column: "message_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // The marks deleted were of messages nobody sees any more: nothing to put back.
            migrationBuilder.DropIndex(
                name: "IX_message_hidden_message_id",
                table: "message_hidden");
        }
    }
}
