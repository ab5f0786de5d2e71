using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Messenger.Message.Storage.Migrations
{
    /// <inheritdoc />
    public partial class SearchInstances : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // FTS5's index of message_search as one row per occurrence, read lazily: a search finds a word's completions
            // here by skipping from one term to the next (SearchStore.WordQuery). The per-column vocabulary it replaces
            // counted every occurrence of each term it listed: 90-270 ms for the commonest word of 775,000 messages.
            // Both are views over the index: they store nothing.
            migrationBuilder.Sql("CREATE VIRTUAL TABLE message_search_instances USING fts5vocab(message_search, 'instance')");
            migrationBuilder.Sql("DROP TABLE message_search_vocabulary");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("CREATE VIRTUAL TABLE message_search_vocabulary USING fts5vocab(message_search, 'col')");
            migrationBuilder.Sql("DROP TABLE message_search_instances");
        }
    }
}
