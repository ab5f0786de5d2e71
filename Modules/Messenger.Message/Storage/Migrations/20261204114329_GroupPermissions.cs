using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Messenger.Message.Storage.Migrations
{
    /// <inheritdoc />
    public partial class GroupPermissions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "last_post_at",
                table: "message_members",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<int>(
                name: "member_rights",
                table: "message_chats",
                type: "INTEGER",
                nullable: false,
                defaultValue: 31);

            migrationBuilder.AddColumn<int>(
                name: "slow_mode",
                table: "message_chats",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            // What members could do before rights were stored: large groups (3) let them post only; a channel's (4) post nothing.
            migrationBuilder.Sql("UPDATE message_chats SET member_rights = 7 WHERE kind = 3");
            migrationBuilder.Sql("UPDATE message_chats SET member_rights = 0 WHERE kind = 4");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "last_post_at",
                table: "message_members");

            migrationBuilder.DropColumn(
                name: "member_rights",
                table: "message_chats");

            migrationBuilder.DropColumn(
                name: "slow_mode",
                table: "message_chats");
        }
    }
}
