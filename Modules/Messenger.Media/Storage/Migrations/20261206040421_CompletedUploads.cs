using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Messenger.Media.Storage.Migrations
{
    /// <inheritdoc />
    public partial class CompletedUploads : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "media_completed_uploads",
                columns: table => new
                {
                    user_id = table.Column<long>(type: "INTEGER", nullable: false),
                    file_id = table.Column<long>(type: "INTEGER", nullable: false),
                    total_parts = table.Column<int>(type: "INTEGER", nullable: false),
                    hash = table.Column<string>(type: "TEXT", nullable: false),
                    size = table.Column<long>(type: "INTEGER", nullable: false),
                    width = table.Column<int>(type: "INTEGER", nullable: true),
                    height = table.Column<int>(type: "INTEGER", nullable: true),
                    completed_at = table.Column<long>(type: "INTEGER", nullable: false),
                    client_thumb_file_id = table.Column<long>(type: "INTEGER", nullable: true),
                    client_thumb_key = table.Column<string>(type: "TEXT", nullable: true),
                    client_thumb_width = table.Column<int>(type: "INTEGER", nullable: true),
                    client_thumb_height = table.Column<int>(type: "INTEGER", nullable: true),
                    client_thumb_preview = table.Column<byte[]>(type: "BLOB", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_media_completed_uploads", x => new { x.user_id, x.file_id });
                });

            migrationBuilder.CreateIndex(
                name: "IX_media_completed_uploads_completed_at",
                table: "media_completed_uploads",
                column: "completed_at");

            migrationBuilder.CreateIndex(
                name: "IX_media_completed_uploads_hash",
                table: "media_completed_uploads",
                column: "hash");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "media_completed_uploads");
        }
    }
}
