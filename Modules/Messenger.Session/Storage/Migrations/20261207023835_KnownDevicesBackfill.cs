using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Messenger.Session.Storage.Migrations
{
    /// <inheritdoc />
    public partial class KnownDevicesBackfill : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The devices signed in before session_known_devices came in (migration KnownDevices) are made known once, at
            // the next start (KnownDevicesBackfill in Limits): SQLite has no SHA-256. The row says the pass is still to
            // run; the pass deletes it in the unit that inserts the devices.
            migrationBuilder.Sql("INSERT INTO session_passes (name, cursor) VALUES ('known_devices_backfill', 0) ON CONFLICT (name) DO NOTHING");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DELETE FROM session_passes WHERE name = 'known_devices_backfill'");
        }
    }
}
