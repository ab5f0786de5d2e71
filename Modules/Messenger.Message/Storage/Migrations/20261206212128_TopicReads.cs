using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Messenger.Message.Storage.Migrations
{
    /// <inheritdoc />
    public partial class TopicReads : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "message_topic_reads",
                columns: table => new
                {
                    user_id = table.Column<long>(type: "INTEGER", nullable: false),
                    chat_id = table.Column<long>(type: "INTEGER", nullable: false),
                    topic_id = table.Column<long>(type: "INTEGER", nullable: false),
                    read_max_id = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_message_topic_reads", x => new { x.user_id, x.chat_id, x.topic_id });
                });

            migrationBuilder.CreateIndex(
                name: "IX_message_topic_reads_chat_id_topic_id",
                table: "message_topic_reads",
                columns: new[] { "chat_id", "topic_id" });

            // Topic positions were kept in message_thread_reads under the topic's id (its topic_create message's) and
            // General's under minus the chat's id: they move here, and those keys now mean message threads only.
            migrationBuilder.Sql(
                "INSERT INTO message_topic_reads (user_id, chat_id, topic_id, read_max_id) " +
                "SELECT r.user_id, t.chat_id, t.id, r.read_max_id FROM message_thread_reads r JOIN message_topics t ON t.id = r.msg_id");
            migrationBuilder.Sql(
                "INSERT INTO message_topic_reads (user_id, chat_id, topic_id, read_max_id) " +
                "SELECT user_id, -msg_id, 0, read_max_id FROM message_thread_reads WHERE msg_id < 0");
            migrationBuilder.Sql(
                "DELETE FROM message_thread_reads WHERE msg_id < 0 OR msg_id IN (SELECT id FROM message_topics)");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(
                "INSERT OR REPLACE INTO message_thread_reads (user_id, msg_id, read_max_id) " +
                "SELECT user_id, CASE topic_id WHEN 0 THEN -chat_id ELSE topic_id END, read_max_id FROM message_topic_reads");
            migrationBuilder.DropTable(
                name: "message_topic_reads");
        }
    }
}
