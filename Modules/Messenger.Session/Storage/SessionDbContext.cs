using Messenger.Kernel.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Messenger.Session.Storage;

/// <summary>Accounts, their devices' authorizations, invite codes and contact lists. Times are unix milliseconds (portable).</summary>
internal sealed class SessionDbContext(DbContextOptions<SessionDbContext> options) : DbContext(options)
{
    public const string MigrationsHistoryTable = "session_migrations";

    public DbSet<UserRow> Users => Set<UserRow>();

    public DbSet<AuthorizationRow> Authorizations => Set<AuthorizationRow>();

    public DbSet<InviteRow> Invites => Set<InviteRow>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<UserRow>(user =>
        {
            user.ToTable("session_users");
            user.HasKey(u => u.Id);
            user.Property(u => u.Id).HasColumnName("id").ValueGeneratedOnAdd();
            user.Property(u => u.Username).HasColumnName("username").HasMaxLength(32);
            // Lower-cased: usernames are unique case-insensitively, and prefix search uses this index.
            user.Property(u => u.UsernameKey).HasColumnName("username_key").HasMaxLength(32);
            user.HasIndex(u => u.UsernameKey).IsUnique();
            // The key with look-alikes folded (Rules.UsernameFold): unique too, so "AIice" cannot stand next to "alice".
            // Null for a deleted account, and for the later of two accounts that already shared a fold when it came in
            // (migration UsernameFold): they keep their names, and a rename gives them one.
            user.Property(u => u.UsernameFold).HasColumnName("username_fold").HasMaxLength(32);
            user.HasIndex(u => u.UsernameFold).IsUnique();
            // The live accounts without a fold (the later look-alikes above): few, read whole and folded in C# by every
            // username check (SessionStore.UsernameOwners), so that their fold stays taken when its holder gives it up.
            user.HasIndex(u => u.UsernameKey, "IX_session_users_unfolded").HasFilter("username_fold IS NULL AND username <> ''");
            user.Property(u => u.PasswordHash).HasColumnName("password_hash").HasMaxLength(256);
            user.Property(u => u.DisplayName).HasColumnName("display_name").HasMaxLength(64);
            // The display name's words, folded (NameKey), joined by single spaces; '' for accounts no name search finds
            // (deleted, webhooks' posters). Null until the start-up fill wrote the name's words (session_user_name_words).
            // The name's length: a fold may spell a letter with two ("ß" → "ss"), but SQLite checks no length, and
            // declaring more would make EF rebuild session_users for nothing.
            user.Property(u => u.DisplayNameKey).HasColumnName("display_name_key").HasMaxLength(64);
            // Only the accounts still to fill: a start with none costs one seek.
            user.HasIndex(u => u.DisplayNameKey).HasFilter("display_name_key IS NULL").HasDatabaseName("IX_session_users_name_unfilled");
            user.Property(u => u.Bio).HasColumnName("bio").HasMaxLength(140);
            user.Property(u => u.IsAdmin).HasColumnName("is_admin");
            // The admins are read inside writer units (every report filed or resolved tells them): a few rows, never a
            // scan of every account.
            user.HasIndex(u => u.IsAdmin).HasFilter("is_admin = 1").HasDatabaseName("IX_session_users_admins");
            user.Property(u => u.IsBlocked).HasColumnName("is_blocked");
            user.Property(u => u.CreatedAt).HasColumnName("created_at");
            // The profile photo's media descriptor (MessagePack), held in the Media module as MediaHolders.ProfilePhotoOf(id).
            user.Property(u => u.Photo).HasColumnName("photo");
            // A webhook's poster (IBotAccounts): no password, never signs in, found by no search.
            user.Property(u => u.IsBot).HasColumnName("is_bot");
            // Set by an admin's reset (unix seconds): the password is a temporary one that signs in only until then, and a
            // device signed in with it must change it first. Null for a password the user chose.
            user.Property(u => u.TemporaryPasswordExpiresAt).HasColumnName("temporary_password_expires_at");
        });

        // Every word of a searchable account's display name, folded (NameKey), for finding people by the start of any
        // word of their name: a query reads one word's range of the primary key, bounded, counting up to three of its
        // words' ranges longest first until one's is not cut (SessionStore.NameCandidates). Written in the unit of every display name
        // change; by user for rewriting one account's words.
        modelBuilder.Entity<NameWordRow>(word =>
        {
            word.ToTable("session_user_name_words");
            word.HasKey(w => new { w.Word, w.UserId });
            word.Property(w => w.Word).HasColumnName("word");
            word.Property(w => w.UserId).HasColumnName("user_id");
            word.HasOne<UserRow>().WithMany().HasForeignKey(w => w.UserId).OnDelete(DeleteBehavior.Cascade);
            word.HasIndex(w => w.UserId);
        });

        // Two-step verification: the account's TOTP secret (needed to check codes, so kept as it is), whether a code
        // confirmed it, and the last 30-second step whose code was used (each code works once).
        modelBuilder.Entity<TwoFactorRow>(twoFactor =>
        {
            twoFactor.ToTable("session_two_factor");
            twoFactor.HasKey(t => t.UserId);
            twoFactor.Property(t => t.UserId).HasColumnName("user_id").ValueGeneratedNever();
            twoFactor.HasOne<UserRow>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
            twoFactor.Property(t => t.Secret).HasColumnName("secret");
            twoFactor.Property(t => t.Enabled).HasColumnName("enabled");
            twoFactor.Property(t => t.LastStep).HasColumnName("last_step");
            twoFactor.Property(t => t.CreatedAt).HasColumnName("created_at");
        });

        // One-time recovery codes of two-step verification: only their SHA-256 (RecoveryCode says why that is enough);
        // a used one is deleted, in the same statement that checks it. Rows only while two-step verification is on.
        modelBuilder.Entity<RecoveryCodeRow>(code =>
        {
            code.ToTable("session_recovery_codes");
            code.HasKey(c => new { c.UserId, c.CodeHash });
            code.Property(c => c.UserId).HasColumnName("user_id");
            code.HasOne<UserRow>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
            code.Property(c => c.CodeHash).HasColumnName("code_hash").HasMaxLength(32);
        });

        // Privacy: who sees the account's presence and who may add it to groups (PrivacyRule values); no row: the defaults.
        modelBuilder.Entity<PrivacyRow>(privacy =>
        {
            privacy.ToTable("session_privacy");
            privacy.HasKey(p => p.UserId);
            privacy.Property(p => p.UserId).HasColumnName("user_id").ValueGeneratedNever();
            privacy.HasOne<UserRow>().WithMany().HasForeignKey(p => p.UserId).OnDelete(DeleteBehavior.Cascade);
            privacy.Property(p => p.LastSeen).HasColumnName("last_seen");
            privacy.Property(p => p.GroupInvites).HasColumnName("group_invites");
            privacy.Property(p => p.Calls).HasColumnName("calls").HasDefaultValue(0);
        });

        // After how many days without a call a device of the account is signed out (account.setAuthorizationTTL); no row:
        // the default (AuthorizationTtlDays.Default).
        modelBuilder.Entity<AuthorizationTtlRow>(ttl =>
        {
            ttl.ToTable("session_authorization_ttl");
            ttl.HasKey(t => t.UserId);
            ttl.Property(t => t.UserId).HasColumnName("user_id").ValueGeneratedNever();
            ttl.HasOne<UserRow>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
            ttl.Property(t => t.Days).HasColumnName("days");
        });

        // Contact lists (contacts.addContact): the name the owner gave each person they added. The index on user_id
        // answers "who has this user": the mutual flag, and an account's deletion taking it out of every list.
        modelBuilder.Entity<ContactRow>(contact =>
        {
            contact.ToTable("session_contacts");
            contact.HasKey(c => new { c.OwnerId, c.UserId });
            contact.Property(c => c.OwnerId).HasColumnName("owner_id");
            contact.HasOne<UserRow>().WithMany().HasForeignKey(c => c.OwnerId).OnDelete(DeleteBehavior.Cascade);
            contact.Property(c => c.UserId).HasColumnName("user_id");
            contact.HasOne<UserRow>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
            contact.HasIndex(c => c.UserId);
            contact.Property(c => c.Name).HasColumnName("name").HasMaxLength(64);
            contact.Property(c => c.CreatedAt).HasColumnName("created_at");
        });

        // Bots driven over the Bot HTTP API: their account (is_bot, no password), who made them, and the SHA-256 of
        // their token (the token itself is told once). A webhook's poster has no row here.
        modelBuilder.Entity<BotRow>(bot =>
        {
            bot.ToTable("session_bots");
            bot.HasKey(b => b.UserId);
            bot.Property(b => b.UserId).HasColumnName("user_id").ValueGeneratedNever();
            bot.HasOne<UserRow>().WithMany().HasForeignKey(b => b.UserId).OnDelete(DeleteBehavior.Cascade);
            bot.Property(b => b.OwnerId).HasColumnName("owner_id");
            bot.HasIndex(b => b.OwnerId);
            bot.Property(b => b.TokenHash).HasColumnName("token_hash").HasMaxLength(32);
            bot.HasIndex(b => b.TokenHash).IsUnique();
            bot.Property(b => b.CreatedAt).HasColumnName("created_at");
            // The bot's commands (MessagePack of Contracts.Bots.BotCommand[]); null when it set none.
            bot.Property(b => b.Commands).HasColumnName("commands");
        });

        modelBuilder.Entity<AuthorizationRow>(authorization =>
        {
            authorization.ToTable("session_authorizations");
            authorization.HasKey(a => a.Id);
            authorization.Property(a => a.Id).HasColumnName("id").ValueGeneratedOnAdd();
            authorization.Property(a => a.UserId).HasColumnName("user_id");
            authorization.HasOne<UserRow>().WithMany().HasForeignKey(a => a.UserId).OnDelete(DeleteBehavior.Cascade);
            // One authorization per device key: the key is the device's identity.
            authorization.Property(a => a.DeviceKey).HasColumnName("device_key").HasMaxLength(32);
            authorization.HasIndex(a => a.DeviceKey).IsUnique();
            authorization.Property(a => a.DeviceName).HasColumnName("device_name").HasMaxLength(64);
            authorization.Property(a => a.Platform).HasColumnName("platform").HasMaxLength(32);
            authorization.Property(a => a.ClientAddress).HasColumnName("client_address").HasMaxLength(64);
            authorization.Property(a => a.CreatedAt).HasColumnName("created_at");
            authorization.Property(a => a.LastActiveAt).HasColumnName("last_active_at");
            // Signed in with an admin's temporary password: every call but a password change and sign-out is refused
            // until the password is changed (SessionAuthenticator).
            authorization.Property(a => a.PasswordChangeRequired).HasColumnName("password_change_required");
        });

        // Devices that signed in to the account by password (and two-step code, if on): the SHA-256 of the device key and
        // the time of its last such sign-in. Kept after the device signs out, so its next sign-in counts failures on a key
        // of its own instead of the account's (AuthLimits, KnownDevices); forgotten KnownDeviceDays after that sign-in.
        modelBuilder.Entity<KnownDeviceRow>(known =>
        {
            known.ToTable("session_known_devices");
            known.HasKey(k => new { k.UserId, k.DeviceKeyHash });
            known.Property(k => k.UserId).HasColumnName("user_id");
            known.HasOne<UserRow>().WithMany().HasForeignKey(k => k.UserId).OnDelete(DeleteBehavior.Cascade);
            known.Property(k => k.DeviceKeyHash).HasColumnName("device_key_hash").HasMaxLength(32);
            known.Property(k => k.SignedInAt).HasColumnName("signed_in_at");
            // The forgetting pass deletes by time.
            known.HasIndex(k => k.SignedInAt);
        });

        modelBuilder.Entity<InviteRow>(invite =>
        {
            invite.ToTable("session_invites");
            invite.HasKey(i => i.Code);
            invite.Property(i => i.Code).HasColumnName("code").HasMaxLength(64);
            invite.Property(i => i.CreatedBy).HasColumnName("created_by");
            invite.Property(i => i.UsesLeft).HasColumnName("uses_left");
            invite.Property(i => i.ExpiresAt).HasColumnName("expires_at");
            invite.Property(i => i.CreatedAt).HasColumnName("created_at");
        });

        // What admins did (admin.getAuditLog), written in the unit of the change it records. Kept for good: a row a change.
        modelBuilder.Entity<AuditRow>(audit =>
        {
            audit.ToTable("session_audit");
            audit.HasKey(a => a.Id);
            audit.Property(a => a.Id).HasColumnName("id").ValueGeneratedOnAdd();
            audit.Property(a => a.At).HasColumnName("at");
            audit.Property(a => a.ActorId).HasColumnName("actor_id");
            audit.Property(a => a.Action).HasColumnName("action").HasMaxLength(32);
            audit.Property(a => a.UserId).HasColumnName("user_id");
            audit.Property(a => a.Detail).HasColumnName("detail").HasMaxLength(256);
        });

        // Where each resumable background pass over a table stands (DescriptorThumbnailPass): the last id it is done with.
        // A one-time start-up pass's row says it is still to run (known_devices_backfill: KnownDevicesBackfill).
        modelBuilder.Entity<PassCursorRow>(pass =>
        {
            pass.ToTable("session_passes");
            pass.HasKey(p => p.Name);
            pass.Property(p => p.Name).HasColumnName("name").HasMaxLength(64);
            pass.Property(p => p.Cursor).HasColumnName("cursor");
        });
    }
}

internal sealed class PassCursorRow
{
    public string Name { get; set; } = "";

    public long Cursor { get; set; }
}

internal sealed class AuditRow
{
    public long Id { get; set; }

    public long At { get; set; }

    public long ActorId { get; set; }

    public string Action { get; set; } = "";

    public long? UserId { get; set; }

    public string? Detail { get; set; }
}

internal sealed class UserRow
{
    public long Id { get; set; }

    public required string Username { get; set; }

    public required string UsernameKey { get; set; }

    public string? UsernameFold { get; set; }

    public required string PasswordHash { get; set; }

    public required string DisplayName { get; set; }

    public string? DisplayNameKey { get; set; }

    public string Bio { get; set; } = "";

    public bool IsAdmin { get; set; }

    public bool IsBlocked { get; set; }

    public long CreatedAt { get; set; }

    public byte[]? Photo { get; set; }

    public bool IsBot { get; set; }

    public long? TemporaryPasswordExpiresAt { get; set; }
}

internal sealed class NameWordRow
{
    public required string Word { get; set; }

    public long UserId { get; set; }
}

internal sealed class TwoFactorRow
{
    public long UserId { get; set; }

    public byte[] Secret { get; set; } = [];

    public bool Enabled { get; set; }

    public long LastStep { get; set; }

    public long CreatedAt { get; set; }
}

internal sealed class RecoveryCodeRow
{
    public long UserId { get; set; }

    public byte[] CodeHash { get; set; } = [];
}

internal sealed class PrivacyRow
{
    public long UserId { get; set; }

    public int LastSeen { get; set; }

    public int GroupInvites { get; set; }

    public int Calls { get; set; }
}

internal sealed class AuthorizationTtlRow
{
    public long UserId { get; set; }

    public int Days { get; set; }
}

internal sealed class ContactRow
{
    public long OwnerId { get; set; }

    public long UserId { get; set; }

    public required string Name { get; set; }

    public long CreatedAt { get; set; }
}

internal sealed class BotRow
{
    public long UserId { get; set; }

    public long OwnerId { get; set; }

    public required byte[] TokenHash { get; set; }

    public long CreatedAt { get; set; }

    public byte[]? Commands { get; set; }
}

internal sealed class AuthorizationRow
{
    public long Id { get; set; }

    public long UserId { get; set; }

    public required byte[] DeviceKey { get; set; }

    public required string DeviceName { get; set; }

    public required string Platform { get; set; }

    public string ClientAddress { get; set; } = "";

    public long CreatedAt { get; set; }

    public long LastActiveAt { get; set; }

    public bool PasswordChangeRequired { get; set; }
}

internal sealed class KnownDeviceRow
{
    public long UserId { get; set; }

    public byte[] DeviceKeyHash { get; set; } = [];

    public long SignedInAt { get; set; }
}

internal sealed class InviteRow
{
    public required string Code { get; set; }

    public long CreatedBy { get; set; }

    public int UsesLeft { get; set; }

    public long? ExpiresAt { get; set; }

    public long CreatedAt { get; set; }
}

internal sealed class SessionDbContextFactory : IDesignTimeDbContextFactory<SessionDbContext>
{
    public SessionDbContext CreateDbContext(string[] args) =>
        new(ModuleStorage.DesignTimeOptions<SessionDbContext>(SessionDbContext.MigrationsHistoryTable));
}
