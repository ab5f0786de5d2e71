using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Messenger.Message.Storage.Migrations
{
    /// <inheritdoc />
    public partial class ScheduledMessages : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "message_scheduled",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    user_id = table.Column<long>(type: "INTEGER", nullable: false),
                    peer_kind = table.Column<int>(type: "INTEGER", nullable: false),
                    peer_id = table.Column<long>(type: "INTEGER", nullable: false),
                    random_id = table.Column<long>(type: "INTEGER", nullable: false),
                    text = table.Column<string>(type: "TEXT", nullable: false),
                    reply_to_id = table.Column<long>(type: "INTEGER", nullable: true),
                    date = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_message_scheduled", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_message_scheduled_date",
                table: "message_scheduled",
                column: "date");

            migrationBuilder.CreateIndex(
                name: "IX_message_scheduled_user_id_random_id",
                table: "message_scheduled",
                columns: new[] { "user_id", "random_id" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "message_scheduled");
        }
    }
}
