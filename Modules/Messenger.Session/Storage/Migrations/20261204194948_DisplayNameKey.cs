using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Messenger.Session.Storage.Migrations
{
    /// <inheritdoc />
    public partial class DisplayNameKey : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "display_name_key",
                table: "session_users",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_session_users_display_name_key",
                table: "session_users",
                column: "display_name_key");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_session_users_display_name_key",
                table: "session_users");

            migrationBuilder.DropColumn(
                name: "display_name_key",
                table: "session_users");
        }
    }
}
