using Messenger.Kernel.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Kernel.ServerInfo;

/// <summary>Migrates the Kernel's tables and records, once, when and with which schema this server was created.</summary>
internal sealed class KernelSchema(TimeProvider clock) : IModuleSchema
{
    public const string ServerIdKey = "server_id";
    public const string CreatedAtKey = "created_at";

    public string Name => nameof(KernelDbContext);

    public async Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<KernelDbContext>();
        await SchemaMigration.MigrateAsync(context, Name, services, cancellationToken);
        if (await context.ServerInfo.AnyAsync(e => e.Key == ServerIdKey, cancellationToken))
        {
            return;
        }

        context.ServerInfo.Add(new ServerInfoEntry { Key = ServerIdKey, Value = Guid.NewGuid().ToString("N") });
        context.ServerInfo.Add(new ServerInfoEntry { Key = CreatedAtKey, Value = clock.GetUtcNow().ToString("O") });
        await context.SaveChangesAsync(cancellationToken);
    }
}
