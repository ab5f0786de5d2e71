using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Messenger.Message.Storage.Migrations
{
    /// <inheritdoc />
    public partial class MessageReports : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "message_reports",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    reporter_id = table.Column<long>(type: "INTEGER", nullable: false),
                    chat_id = table.Column<long>(type: "INTEGER", nullable: false),
                    message_id = table.Column<long>(type: "INTEGER", nullable: false),
                    from_id = table.Column<long>(type: "INTEGER", nullable: false),
                    text = table.Column<string>(type: "TEXT", nullable: false),
                    media = table.Column<string>(type: "TEXT", nullable: true),
                    message_date = table.Column<long>(type: "INTEGER", nullable: false),
                    reason = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    comment = table.Column<string>(type: "TEXT", nullable: true),
                    date = table.Column<long>(type: "INTEGER", nullable: false),
                    state = table.Column<int>(type: "INTEGER", nullable: false),
                    resolved_by = table.Column<long>(type: "INTEGER", nullable: true),
                    resolved_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_message_reports", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_message_reports_message_id",
                table: "message_reports",
                column: "message_id");

            migrationBuilder.CreateIndex(
                name: "IX_message_reports_reporter_id_message_id",
                table: "message_reports",
                columns: new[] { "reporter_id", "message_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_message_reports_state_id",
                table: "message_reports",
                columns: new[] { "state", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "message_reports");
        }
    }
}
