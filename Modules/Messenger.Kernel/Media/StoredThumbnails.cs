using Mediator;
using Messenger.Contracts.Media;

namespace Messenger.Kernel.Media;

/// <summary>What the Media module can say of a media's thumbnail for a descriptor copied before it existed.</summary>
public enum StoredThumbnailState
{
    /// <summary>Not tried yet (thumbnails off, the decoder was busy, or the background pass has not reached it).</summary>
    NotTried,

    /// <summary>Made: <see cref="StoredThumbnail.Thumb"/> and the rest are set.</summary>
    Made,

    /// <summary>There is none and never will be (not an image it decodes, over a budget, its file missing, the media gone).</summary>
    None,
}

/// <summary>The parts of a descriptor that come from the blob's thumbnail: the displayed (upright) size, the thumbnail
/// and the inline preview.</summary>
public sealed record StoredThumbnail(StoredThumbnailState State, int? Width = null, int? Height = null, MediaThumb? Thumb = null, byte[]? Preview = null)
{
    public static readonly StoredThumbnail None = new(StoredThumbnailState.None);

    public static readonly StoredThumbnail NotTried = new(StoredThumbnailState.NotTried);

    /// <summary><paramref name="media"/> with these parts (the size the decode found replaces the header's).</summary>
    public MessageMedia AppliedTo(MessageMedia media) =>
        media with { Width = Width ?? media.Width, Height = Height ?? media.Height, Thumb = Thumb, Preview = Preview };
}

/// <summary>The thumbnails of these media (by <see cref="MessageMedia.Id"/>), for modules that keep copies of their
/// descriptors; an id the Media module does not know is <see cref="StoredThumbnailState.None"/>. Answered by the Media
/// module.</summary>
public sealed record StoredThumbnailsQuery(long[] MediaIds) : IRequest<IReadOnlyDictionary<long, StoredThumbnail>>;

/// <summary>The Media module's background pass over images left without a thumbnail has run: descriptors copied before
/// may now gain theirs (<see cref="DescriptorThumbnailPass"/>). Nothing is said of which: a pass may have made none
/// and still matter, when a later send of the same content made the thumbnail an earlier busy send could not.</summary>
public sealed record ThumbnailBackfillRanEvent : INotification;
