using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Messenger.Session.Storage.Migrations
{
    /// <inheritdoc />
    public partial class NameWords : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_session_users_display_name_key",
                table: "session_users");

            migrationBuilder.CreateTable(
                name: "session_user_name_words",
                columns: table => new
                {
                    word = table.Column<string>(type: "TEXT", nullable: false),
                    user_id = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_session_user_name_words", x => new { x.word, x.user_id });
                    table.ForeignKey(
                        name: "FK_session_user_name_words_session_users_user_id",
                        column: x => x.user_id,
                        principalTable: "session_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_session_user_name_words_user_id",
                table: "session_user_name_words",
                column: "user_id");

            // Every account's words are written at the next start (FillNameKeys), folded by C# as new names are: a null
            // key marks an account still to fill, and the old lower-cased keys did not fold accents anyway.
            migrationBuilder.Sql("UPDATE session_users SET display_name_key = NULL");

            // After the table-wide update: made before it, the partial index would take every row in one at a time.
            migrationBuilder.CreateIndex(
                name: "IX_session_users_name_unfilled",
                table: "session_users",
                column: "display_name_key",
                filter: "display_name_key IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "session_user_name_words");

            migrationBuilder.DropIndex(
                name: "IX_session_users_name_unfilled",
                table: "session_users");

            // The keys are in this build's form (folded words) and the previous build searched its own (the name
            // lower-cased): null makes its start-up fill write every one again. Before the index is made (and after the
            // partial one went), so that no index takes every row in one at a time.
            migrationBuilder.Sql("UPDATE session_users SET display_name_key = NULL");

            migrationBuilder.CreateIndex(
                name: "IX_session_users_display_name_key",
                table: "session_users",
                column: "display_name_key");
        }
    }
}
