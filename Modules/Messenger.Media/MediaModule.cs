using FluentValidation;
using Messenger.Contracts.Media;
using Messenger.Contracts.Rpc;
using Messenger.Kernel;
using Messenger.Kernel.Media;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Media.Attachments;
using Messenger.Media.Collection;
using Messenger.Media.Downloads;
using Messenger.Media.Storage;
using Messenger.Media.Streams;
using Messenger.Media.Thumbnails;
using Messenger.Media.Uploads;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Media;

/// <summary>
/// Media (DESIGN §7): uploads in parts streamed to temporary files, a content-addressed blob store (SHA-256, one copy
/// per content) with reference counts kept in the messages' own transactions (through <see cref="IMediaAttachments"/>),
/// ranged downloads for those who can see the media, per-user quotas, image thumbnails and inline previews (made once
/// per blob, outside the writer), and a collector for unreferenced blobs and abandoned uploads.
/// </summary>
public static class MediaModule
{
    public static IServiceCollection AddMediaModule(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<MediaOptions, MediaOptionsValidator>(configuration, MediaOptions.Section);
        services.AddModuleDbContext<MediaDbContext>(MediaDbContext.MigrationsHistoryTable);

        services.AddSingleton<BlobStore>();
        services.AddSingleton<ThumbnailStore>();
        services.AddSingleton<ThumbnailBackfill>();
        services.AddHostedService(provider => provider.GetRequiredService<ThumbnailBackfill>());
        services.AddSingleton<UploadStore>();
        services.AddSingleton<UploadQuota>();
        services.AddSingleton<MediaStreamTickets>();
        services.AddScoped<MediaAccess>();
        services.AddSingleton<MediaAccessMemory>();
        services.AddSingleton<MediaAttachments>();
        services.AddSingleton<IMediaAttachments>(provider => provider.GetRequiredService<MediaAttachments>());
        services.AddSingleton<MediaCollector>();
        services.AddHostedService(provider => provider.GetRequiredService<MediaCollector>());
        services.AddValidatorsFromAssemblyContaining<MediaOptions>(ServiceLifetime.Singleton, includeInternalTypes: true);

        services.AddRpcMethod<SaveFilePartCall, Done>(RpcCost.OwnLimit);
        services.AddRpcMethod<GetUploadedPartsCall, UploadedParts>(RpcCost.Read);
        services.AddRpcMethod<CancelUploadCall, Done>(RpcCost.Write);
        services.AddRpcMethod<GetFileCall, FileBytes>(RpcCost.Read);
        services.AddRpcMethod<OpenUploadStreamCall, MediaStreamTicket>(RpcCost.Write);
        services.AddRpcMethod<OpenDownloadStreamCall, MediaStreamTicket>(RpcCost.Read);
        return services;
    }

    /// <summary>The media stream endpoints (<c>PUT</c>/<c>GET /media/stream/{ticket}</c>).</summary>
    public static IEndpointRouteBuilder MapMediaModule(this IEndpointRouteBuilder endpoints) => endpoints.MapMediaStreams();
}
