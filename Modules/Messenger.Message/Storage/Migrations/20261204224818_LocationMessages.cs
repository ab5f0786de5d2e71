using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Messenger.Message.Storage.Migrations
{
    /// <inheritdoc />
    public partial class LocationMessages : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<byte[]>(
                name: "geo",
                table: "message_messages",
                type: "BLOB",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "geo",
                table: "message_messages");
        }
    }
}
