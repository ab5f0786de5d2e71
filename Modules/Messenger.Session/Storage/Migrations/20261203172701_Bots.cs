using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Messenger.Session.Storage.Migrations
{
    /// <inheritdoc />
    public partial class Bots : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "is_bot",
                table: "session_users",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "is_bot",
                table: "session_users");
        }
    }
}
