using Mediator;

namespace Messenger.Kernel.Messages;

/// <summary>One of these messages <paramref name="UserId"/> can see (not deleted for everyone, not deleted for them, in a
/// chat they belong to), or null when none. Answered by the Message module; the Media module asks it before serving bytes
/// (and asks again about that one message on the next request).</summary>
public sealed record FindVisibleMessageQuery(long UserId, long[] MessageIds) : IRequest<long?>;

/// <summary>Is <paramref name="UserId"/> a member of at least one of these groups? Answered by the Message module; the
/// Media module asks it before serving a group's photo.</summary>
public sealed record IsMemberOfAnyChatQuery(long UserId, long[] ChatIds) : IRequest<bool>;

/// <summary>Is <paramref name="UserId"/> a member of the secret chat of at least one of these files (ids of
/// <c>message_secret_files</c>), and is that chat not discarded? Answered by the Message module; the Media module asks
/// it before serving a secret chat's encrypted file.</summary>
public sealed record CanReadAnySecretFileQuery(long UserId, long[] SecretFileIds) : IRequest<bool>;
