using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Messenger.Session.Storage.Migrations
{
    /// <inheritdoc />
    public partial class InitialSessionSchema : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "session_invites",
                columns: table => new
                {
                    code = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    created_by = table.Column<long>(type: "INTEGER", nullable: false),
                    uses_left = table.Column<int>(type: "INTEGER", nullable: false),
                    expires_at = table.Column<long>(type: "INTEGER", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_session_invites", x => x.code);
                });

            migrationBuilder.CreateTable(
                name: "session_users",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    username = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    username_key = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    password_hash = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    display_name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    bio = table.Column<string>(type: "TEXT", maxLength: 140, nullable: false),
                    is_admin = table.Column<bool>(type: "INTEGER", nullable: false),
                    is_blocked = table.Column<bool>(type: "INTEGER", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_session_users", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "session_authorizations",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    user_id = table.Column<long>(type: "INTEGER", nullable: false),
                    device_key = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: false),
                    device_name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    platform = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    client_address = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    last_active_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_session_authorizations", x => x.id);
                    table.ForeignKey(
                        name: "FK_session_authorizations_session_users_user_id",
                        column: x => x.user_id,
                        principalTable: "session_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_session_authorizations_device_key",
                table: "session_authorizations",
                column: "device_key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_session_authorizations_user_id",
                table: "session_authorizations",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "IX_session_users_username_key",
                table: "session_users",
                column: "username_key",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "session_authorizations");

            migrationBuilder.DropTable(
                name: "session_invites");

            migrationBuilder.DropTable(
                name: "session_users");
        }
    }
}
