using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Messenger.Message.Storage.Migrations
{
    /// <inheritdoc />
    public partial class ReactionCounts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "message_reaction_counts",
                columns: table => new
                {
                    message_id = table.Column<long>(type: "INTEGER", nullable: false),
                    reaction = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    count = table.Column<int>(type: "INTEGER", nullable: false),
                    since = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_message_reaction_counts", x => new { x.message_id, x.reaction });
                });

            // The totals of the reactions given before this table existed.
            migrationBuilder.Sql(
                "INSERT INTO message_reaction_counts (message_id, reaction, count, since) " +
                "SELECT message_id, reaction, count(*), min(rowid) FROM message_reactions GROUP BY message_id, reaction");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "message_reaction_counts");
        }
    }
}
