using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Messenger.Media.Storage.Migrations
{
    /// <inheritdoc />
    public partial class CompletedUploadsAttached : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "attached",
                table: "media_completed_uploads",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            // Until now a blob's last release forgot every record of it, so a record whose blob is unreferenced was never
            // attached since. One whose blob is referenced may have been: counted as attached, it is forgotten with the
            // blob's last reference as before (a retry of an upload no call used may then upload again, as before).
            migrationBuilder.Sql(
                "UPDATE media_completed_uploads SET attached = 1 WHERE hash IN (SELECT hash FROM media_blobs WHERE ref_count > 0)");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "attached",
                table: "media_completed_uploads");
        }
    }
}
