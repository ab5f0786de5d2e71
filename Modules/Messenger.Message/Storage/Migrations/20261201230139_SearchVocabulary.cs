using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Messenger.Message.Storage.Migrations
{
    /// <inheritdoc />
    public partial class SearchVocabulary : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // FTS5's vocabulary of message_search, per column: a search looks up the completions of a word here
            // (SearchStore.WordQuery). A view over the index: it stores nothing.
            migrationBuilder.Sql("CREATE VIRTUAL TABLE message_search_vocabulary USING fts5vocab(message_search, 'col')");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TABLE message_search_vocabulary");
        }
    }
}
