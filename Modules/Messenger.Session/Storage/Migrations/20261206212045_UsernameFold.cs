using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Messenger.Session.Storage.Migrations
{
    /// <inheritdoc />
    public partial class UsernameFold : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "username_fold",
                table: "session_users",
                type: "TEXT",
                maxLength: 32,
                nullable: true);

            // Rules.UsernameFold in SQL (same replacements, same order); a deleted account ('' as its name) has none.
            migrationBuilder.Sql(
                "UPDATE session_users SET username_fold = " +
                "replace(replace(replace(replace(username_key, 'i', 'l'), '1', 'l'), '0', 'o'), 'rn', 'm') WHERE username <> ''");
            // Two accounts that already read alike both keep their names: the older one holds the fold, the later ones
            // have none (no one else can take it: the older's blocks it) until they rename.
            migrationBuilder.Sql(
                "UPDATE session_users SET username_fold = NULL WHERE username_fold IS NOT NULL AND id NOT IN " +
                "(SELECT min(id) FROM session_users WHERE username_fold IS NOT NULL GROUP BY username_fold)");

            migrationBuilder.CreateIndex(
                name: "IX_session_users_username_fold",
                table: "session_users",
                column: "username_fold",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_session_users_username_fold",
                table: "session_users");

            migrationBuilder.DropColumn(
                name: "username_fold",
                table: "session_users");
        }
    }
}
