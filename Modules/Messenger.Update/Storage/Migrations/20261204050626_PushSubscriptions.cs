using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Messenger.Update.Storage.Migrations
{
    /// <inheritdoc />
    public partial class PushSubscriptions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "update_push_subscriptions",
                columns: table => new
                {
                    device_key = table.Column<byte[]>(type: "BLOB", nullable: false),
                    user_id = table.Column<long>(type: "INTEGER", nullable: false),
                    endpoint = table.Column<string>(type: "TEXT", nullable: false),
                    p256dh = table.Column<string>(type: "TEXT", nullable: false),
                    auth = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_update_push_subscriptions", x => x.device_key);
                });

            migrationBuilder.CreateIndex(
                name: "IX_update_push_subscriptions_user_id",
                table: "update_push_subscriptions",
                column: "user_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "update_push_subscriptions");
        }
    }
}
