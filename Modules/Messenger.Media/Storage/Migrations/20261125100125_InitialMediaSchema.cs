using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Messenger.Media.Storage.Migrations
{
    /// <inheritdoc />
    public partial class InitialMediaSchema : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "media_blobs",
                columns: table => new
                {
                    hash = table.Column<string>(type: "TEXT", nullable: false),
                    size = table.Column<long>(type: "INTEGER", nullable: false),
                    ref_count = table.Column<long>(type: "INTEGER", nullable: false),
                    zero_since = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_media_blobs", x => x.hash);
                });

            migrationBuilder.CreateTable(
                name: "media_files",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    hash = table.Column<string>(type: "TEXT", nullable: false),
                    owner_id = table.Column<long>(type: "INTEGER", nullable: false),
                    kind = table.Column<string>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    mime_type = table.Column<string>(type: "TEXT", nullable: false),
                    size = table.Column<long>(type: "INTEGER", nullable: false),
                    width = table.Column<int>(type: "INTEGER", nullable: true),
                    height = table.Column<int>(type: "INTEGER", nullable: true),
                    ref_count = table.Column<long>(type: "INTEGER", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_media_files", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "media_refs",
                columns: table => new
                {
                    message_id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    media_id = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_media_refs", x => x.message_id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_media_blobs_zero_since",
                table: "media_blobs",
                column: "zero_since",
                filter: "zero_since IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_media_files_hash",
                table: "media_files",
                column: "hash");

            migrationBuilder.CreateIndex(
                name: "IX_media_files_owner_id_hash",
                table: "media_files",
                columns: new[] { "owner_id", "hash" });

            migrationBuilder.CreateIndex(
                name: "IX_media_refs_media_id_message_id",
                table: "media_refs",
                columns: new[] { "media_id", "message_id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "media_blobs");

            migrationBuilder.DropTable(
                name: "media_files");

            migrationBuilder.DropTable(
                name: "media_refs");
        }
    }
}
