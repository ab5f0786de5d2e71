using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Messenger.Media.Storage.Migrations
{
    /// <inheritdoc />
    public partial class BlobThumbnails : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "image_height",
                table: "media_blobs",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "image_width",
                table: "media_blobs",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "preview",
                table: "media_blobs",
                type: "BLOB",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "thumb_height",
                table: "media_blobs",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "thumb_size",
                table: "media_blobs",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "thumb_state",
                table: "media_blobs",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "thumb_width",
                table: "media_blobs",
                type: "INTEGER",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "image_height",
                table: "media_blobs");

            migrationBuilder.DropColumn(
                name: "image_width",
                table: "media_blobs");

            migrationBuilder.DropColumn(
                name: "preview",
                table: "media_blobs");

            migrationBuilder.DropColumn(
                name: "thumb_height",
                table: "media_blobs");

            migrationBuilder.DropColumn(
                name: "thumb_size",
                table: "media_blobs");

            migrationBuilder.DropColumn(
                name: "thumb_state",
                table: "media_blobs");

            migrationBuilder.DropColumn(
                name: "thumb_width",
                table: "media_blobs");
        }
    }
}
