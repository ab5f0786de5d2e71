using Mediator;

namespace Messenger.Kernel.ServerInfo;

/// <summary>How many messages and chats the server holds; answered by the Message module for <c>admin.getServerStats</c>.</summary>
public sealed record MessageStatsQuery : IRequest<MessageStats>;

public sealed record MessageStats(long Messages, long Chats);

/// <summary>How many stored files and bytes the media store holds; answered by the Media module.</summary>
public sealed record MediaStatsQuery : IRequest<MediaStats>;

public sealed record MediaStats(long Files, long Bytes);
