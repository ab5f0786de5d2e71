using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Messenger.Message.Storage.Migrations
{
    /// <inheritdoc />
    public partial class Groups : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<byte[]>(
                name: "action",
                table: "message_messages",
                type: "BLOB",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "creator_id",
                table: "message_chats",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "last_activity",
                table: "message_chats",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<int>(
                name: "member_count",
                table: "message_chats",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "title",
                table: "message_chats",
                type: "TEXT",
                maxLength: 128,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "top_message_id",
                table: "message_chats",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.CreateTable(
                name: "message_invites",
                columns: table => new
                {
                    code = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    chat_id = table.Column<long>(type: "INTEGER", nullable: false),
                    created_by = table.Column<long>(type: "INTEGER", nullable: false),
                    expires_at = table.Column<long>(type: "INTEGER", nullable: true),
                    usage_limit = table.Column<int>(type: "INTEGER", nullable: true),
                    usage = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_message_invites", x => x.code);
                });

            migrationBuilder.CreateTable(
                name: "message_members",
                columns: table => new
                {
                    chat_id = table.Column<long>(type: "INTEGER", nullable: false),
                    user_id = table.Column<long>(type: "INTEGER", nullable: false),
                    role = table.Column<int>(type: "INTEGER", nullable: false),
                    joined_at = table.Column<long>(type: "INTEGER", nullable: false),
                    read_inbox_max_id = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_message_members", x => new { x.chat_id, x.user_id });
                });

            migrationBuilder.CreateIndex(
                name: "IX_message_invites_chat_id",
                table: "message_invites",
                column: "chat_id");

            migrationBuilder.CreateIndex(
                name: "IX_message_members_user_id",
                table: "message_members",
                column: "user_id");

            // Full-text search (FTS5 has no EF model): the only hand-added statements of a generated migration.
            // Contentless with delete support: the text lives once, in message_messages; the index holds the words of
            // the text and the chat as a token ("c<id>") so a search intersects "word" with "one of my chats".
            migrationBuilder.Sql(
                "CREATE VIRTUAL TABLE message_search USING fts5(text, chat, content='', contentless_delete=1, " +
                "tokenize='unicode61 remove_diacritics 2', prefix='2 3')");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "message_invites");

            migrationBuilder.DropTable(
                name: "message_members");

            migrationBuilder.DropColumn(
                name: "action",
                table: "message_messages");

            migrationBuilder.DropColumn(
                name: "creator_id",
                table: "message_chats");

            migrationBuilder.DropColumn(
                name: "last_activity",
                table: "message_chats");

            migrationBuilder.DropColumn(
                name: "member_count",
                table: "message_chats");

            migrationBuilder.DropColumn(
                name: "title",
                table: "message_chats");

            migrationBuilder.DropColumn(
                name: "top_message_id",
                table: "message_chats");
            migrationBuilder.Sql("DROP TABLE message_search");
        }
    }
}
