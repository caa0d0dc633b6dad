namespace Junipeer.Core.Sync;

/// <summary>Port: webhook/event dedupe (Inbox table). True the first time a key is seen.</summary>
public interface IInbox
{
    Task<bool> TryAcceptAsync(string integrationId, string source, string eventKey, CancellationToken cancellationToken);

    /// <summary>Deletes dedupe rows received before <paramref name="olderThan"/>; returns how many.</summary>
    Task<int> PurgeAsync(string integrationId, string source, DateTimeOffset olderThan, CancellationToken cancellationToken);
}

public static class InboxSources
{
    public const string CentraWebhook = "centra-webhook";

    /// <summary>Dedupe only has to outlive the sender's retries (Centra: minutes); a week is ample.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(7);
}
