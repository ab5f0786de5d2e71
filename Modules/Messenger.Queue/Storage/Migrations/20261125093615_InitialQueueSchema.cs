using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Messenger.Queue.Storage.Migrations
{
    /// <inheritdoc />
    public partial class InitialQueueSchema : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "queue_updates",
                columns: table => new
                {
                    owner_id = table.Column<long>(type: "INTEGER", nullable: false),
                    pts = table.Column<long>(type: "INTEGER", nullable: false),
                    pts_count = table.Column<int>(type: "INTEGER", nullable: false),
                    date = table.Column<long>(type: "INTEGER", nullable: false),
                    payload = table.Column<byte[]>(type: "BLOB", nullable: false),
                    message_id = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_queue_updates", x => new { x.owner_id, x.pts });
                });

            migrationBuilder.CreateIndex(
                name: "IX_queue_updates_message_id",
                table: "queue_updates",
                column: "message_id",
                filter: "message_id IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "queue_updates");
        }
    }
}
