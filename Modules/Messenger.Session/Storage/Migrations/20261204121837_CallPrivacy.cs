using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Messenger.Session.Storage.Migrations
{
    /// <inheritdoc />
    public partial class CallPrivacy : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "calls",
                table: "session_privacy",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "calls",
                table: "session_privacy");
        }
    }
}
