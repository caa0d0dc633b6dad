using System.Runtime.CompilerServices;
using Junipeer.Core.Integrations;
using Junipeer.Core.Orders;
using Junipeer.Core.Shipments;
using Junipeer.Core.Shop;
using Junipeer.Core.Sync;

namespace Junipeer.Core.Operations;

/// <summary>One entity a backfill found changed in its source system; <see cref="Owned"/> false when another integration owns it.</summary>
public sealed record BackfillCandidate(string EntityKey, bool Owned);

/// <summary>Port: lists a flow's entities changed since a date in the system the flow reads from (as that flow's sweep does).</summary>
public interface IBackfillSource
{
    string Flow { get; }
    IAsyncEnumerable<BackfillCandidate> ChangedSinceAsync(Integration integration, DateTimeOffset from, CancellationToken cancellationToken);
}

/// <summary>Orders changed in the shop since the date, with the sweep's ownership rule.</summary>
public sealed class OrderBackfillSource(IServiceProvider services) : IBackfillSource
{
    public string Flow => Flows.Orders;

    public async IAsyncEnumerable<BackfillCandidate> ChangedSinceAsync(Integration integration, DateTimeOffset from, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Resolved on use: listing failures or retrying must not need the connectors' settings.
        var shop = (IShopOrderSource)(services.GetService(typeof(IShopOrderSource)) ?? throw new InvalidOperationException("No shop order source registered."));
        await foreach (var page in shop.GetOrdersChangedSinceAsync(integration, from, cancellationToken))
        {
            foreach (var order in page.Orders)
            {
                yield return new BackfillCandidate(order.OrderNumber, OrderOwnership.Owns(integration, order));
            }
        }
    }
}

/// <summary>ERP shipments in the flow's trigger status changed since the date (the shipment sweep's read).</summary>
public sealed class ShipmentBackfillSource(IServiceProvider services) : IBackfillSource
{
    public string Flow => Flows.Shipments;

    public async IAsyncEnumerable<BackfillCandidate> ChangedSinceAsync(Integration integration, DateTimeOffset from, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var shipments = (ShipmentSyncHandler)(services.GetService(typeof(ShipmentSyncHandler)) ?? throw new InvalidOperationException("No shipment handler registered."));
        var list = await shipments.ErpFor(integration).ListShipmentsChangedSinceAsync(integration, integration.Shipments.TriggerStatus, from, cancellationToken);
        foreach (var s in list)
        {
            yield return new BackfillCandidate(s.Number, true);
        }
    }
}
