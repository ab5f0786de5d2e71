using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Messenger.Message.Storage.Migrations
{
    /// <inheritdoc />
    public partial class Polls : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<byte[]>(
                name: "poll",
                table: "message_messages",
                type: "BLOB",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "message_poll_options",
                columns: table => new
                {
                    message_id = table.Column<long>(type: "INTEGER", nullable: false),
                    option = table.Column<int>(type: "INTEGER", nullable: false),
                    count = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_message_poll_options", x => new { x.message_id, x.option });
                });

            migrationBuilder.CreateTable(
                name: "message_poll_votes",
                columns: table => new
                {
                    message_id = table.Column<long>(type: "INTEGER", nullable: false),
                    user_id = table.Column<long>(type: "INTEGER", nullable: false),
                    option = table.Column<int>(type: "INTEGER", nullable: false),
                    date = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_message_poll_votes", x => new { x.message_id, x.user_id, x.option });
                });

            migrationBuilder.CreateTable(
                name: "message_polls",
                columns: table => new
                {
                    message_id = table.Column<long>(type: "INTEGER", nullable: false),
                    voters = table.Column<int>(type: "INTEGER", nullable: false),
                    closed = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_message_polls", x => x.message_id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_message_poll_votes_message_id_option_date",
                table: "message_poll_votes",
                columns: new[] { "message_id", "option", "date" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "message_poll_options");

            migrationBuilder.DropTable(
                name: "message_poll_votes");

            migrationBuilder.DropTable(
                name: "message_polls");

            migrationBuilder.DropColumn(
                name: "poll",
                table: "message_messages");
        }
    }
}
