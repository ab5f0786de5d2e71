using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Messenger.Media.Storage.Migrations
{
    /// <inheritdoc />
    public partial class MediaDurationAndClientThumbs : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "duration",
                table: "media_files",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "thumb_key",
                table: "media_files",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "duration",
                table: "media_files");

            migrationBuilder.DropColumn(
                name: "thumb_key",
                table: "media_files");
        }
    }
}
