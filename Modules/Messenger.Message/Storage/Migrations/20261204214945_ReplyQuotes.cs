using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Messenger.Message.Storage.Migrations
{
    /// <inheritdoc />
    public partial class ReplyQuotes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "quote_offset",
                table: "message_scheduled",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "quote_text",
                table: "message_scheduled",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "quote_offset",
                table: "message_messages",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "quote_text",
                table: "message_messages",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "quote_offset",
                table: "message_drafts",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "quote_text",
                table: "message_drafts",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "quote_offset",
                table: "message_scheduled");

            migrationBuilder.DropColumn(
                name: "quote_text",
                table: "message_scheduled");

            migrationBuilder.DropColumn(
                name: "quote_offset",
                table: "message_messages");

            migrationBuilder.DropColumn(
                name: "quote_text",
                table: "message_messages");

            migrationBuilder.DropColumn(
                name: "quote_offset",
                table: "message_drafts");

            migrationBuilder.DropColumn(
                name: "quote_text",
                table: "message_drafts");
        }
    }
}
