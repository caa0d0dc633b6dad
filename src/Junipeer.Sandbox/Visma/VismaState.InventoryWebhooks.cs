namespace Junipeer.Sandbox.Visma;

/// <summary>
/// A Developer Portal subscription to Inventory Item events for one company (<c>PUT /_sandbox/visma/{tenant}/subscriptions/inventory</c>):
/// where the notifications go, the signature key, and the dispatcher's unreliability (drop and duplicate rates, seeded).
/// </summary>
public sealed class VismaInventorySubscription
{
    /// <summary>Absolute URL the notifications are POSTed to.</summary>
    public string TargetUrl { get; set; } = "";

    /// <summary>The subscription's signature key.</summary>
    public string Secret { get; set; } = "";

    /// <summary>Probability (0..1) a notification is never sent.</summary>
    public double DropRate { get; set; }

    /// <summary>Probability (0..1) a sent notification is sent again.</summary>
    public double DuplicateRate { get; set; }

    public int Seed { get; set; } = 1;
}

/// <summary>What the inventory notification sender did (ground truth for tests and the demo).</summary>
public sealed record VismaInventorySignalStats(int Queued, int Sent, int Dropped, int Duplicated, int Failed);

/// <summary>
/// Inventory Item notifications: when an available quantity changes (<see cref="SetAvailable"/>, <see cref="UpsertInventory"/>)
/// in a company with a subscription, one notification per item is queued here and <see cref="VismaWebhookSender"/> delivers it.
/// </summary>
public sealed partial class VismaState
{
    private readonly Dictionary<string, (VismaInventorySubscription Subscription, Random Random)> _inventorySubscriptions = new(StringComparer.OrdinalIgnoreCase);
    private readonly Queue<(string Tenant, string InventoryNumber, DateTimeOffset At)> _inventoryOutbox = new();
    private int _inventoryQueued, _inventorySent, _inventoryDropped, _inventoryDuplicated, _inventoryFailed;

    /// <summary>Raised (outside the state's lock) after notifications were queued.</summary>
    internal event Action? InventoryNotificationsQueued;

    /// <summary>Subscribes the company to Inventory Item notifications (replaces an earlier subscription).</summary>
    public void SubscribeInventory(string tenantId, VismaInventorySubscription subscription)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        if (!Uri.TryCreate(subscription.TargetUrl, UriKind.Absolute, out _))
            throw new ArgumentException("targetUrl must be an absolute URL.", nameof(subscription));
        if (string.IsNullOrEmpty(subscription.Secret))
            throw new ArgumentException("secret is required (the subscription's signature key).", nameof(subscription));
        if (subscription.DropRate is < 0 or > 1 || subscription.DuplicateRate is < 0 or > 1)
            throw new ArgumentException("dropRate and duplicateRate must be 0..1.", nameof(subscription));
        lock (_gate)
        {
            if (!_companies.ContainsKey(tenantId))
                throw new ArgumentException($"Unknown tenant {tenantId}.", nameof(tenantId));
            _inventorySubscriptions[tenantId] = (subscription, new Random(subscription.Seed));
        }
    }

    public void UnsubscribeInventory(string tenantId)
    {
        lock (_gate)
        {
            _inventorySubscriptions.Remove(tenantId);
        }
    }

    public VismaInventorySignalStats InventorySignals
    {
        get
        {
            lock (_gate)
            {
                return new VismaInventorySignalStats(_inventoryQueued, _inventorySent, _inventoryDropped, _inventoryDuplicated, _inventoryFailed);
            }
        }
    }

    /// <summary>Under the lock: queue a notification when the company subscribed.</summary>
    private bool QueueInventoryNotification(string tenantId, string inventoryNumber)
    {
        if (!_inventorySubscriptions.ContainsKey(tenantId))
            return false;
        _inventoryOutbox.Enqueue((tenantId, inventoryNumber, Now));
        _inventoryQueued++;
        return true;
    }

    private void RaiseInventoryNotifications() => InventoryNotificationsQueued?.Invoke();

    /// <summary>The next notification to deliver with its subscription and the dispatcher's rolls (drop, duplicate).</summary>
    internal bool TryTakeInventoryNotification(out InventoryNotification notification)
    {
        lock (_gate)
        {
            while (_inventoryOutbox.TryDequeue(out var n))
            {
                if (!_inventorySubscriptions.TryGetValue(n.Tenant, out var sub))
                    continue;
                var drop = sub.Random.NextDouble() < sub.Subscription.DropRate;
                var duplicate = sub.Random.NextDouble() < sub.Subscription.DuplicateRate;
                if (drop)
                    _inventoryDropped++;
                else
                    _inventorySent++;
                if (!drop && duplicate)
                    _inventoryDuplicated++;
                notification = new InventoryNotification(n.Tenant, n.InventoryNumber, n.At, sub.Subscription.TargetUrl, sub.Subscription.Secret, drop, duplicate && !drop);
                return true;
            }
        }

        notification = null!;
        return false;
    }

    internal void CountInventoryDeliveryFailed()
    {
        lock (_gate)
        {
            _inventoryFailed++;
        }
    }

    private void ResetInventoryWebhooks()
    {
        _inventorySubscriptions.Clear();
        _inventoryOutbox.Clear();
        _inventoryQueued = _inventorySent = _inventoryDropped = _inventoryDuplicated = _inventoryFailed = 0;
    }
}

internal sealed record InventoryNotification(string Tenant, string InventoryNumber, DateTimeOffset At, string TargetUrl, string Secret, bool Drop, bool Duplicate);
