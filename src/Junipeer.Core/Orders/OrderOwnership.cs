using Junipeer.Core.Integrations;
using Junipeer.Core.Shop;

namespace Junipeer.Core.Orders;

/// <summary>
/// Which integration an order belongs to when several integrations share one Centra store. Pure:
/// decides from the integration's <see cref="CentraSettings.OrderFilter"/> and the order's store,
/// market and shipping country only.
/// </summary>
public static class OrderOwnership
{
    /// <summary>True when the order belongs to the integration (always true without a filter).</summary>
    public static bool Owns(Integration integration, ShopOrder order)
    {
        ArgumentNullException.ThrowIfNull(integration);
        ArgumentNullException.ThrowIfNull(order);
        return Owns(integration.Shop.Centra?.OrderFilter, order.StoreId, order.MarketId, order.ShippingAddress.CountryCode);
    }

    /// <summary>The same rule on a sweep's order pointer.</summary>
    public static bool Owns(Integration integration, ShopOrderRef order)
    {
        ArgumentNullException.ThrowIfNull(integration);
        ArgumentNullException.ThrowIfNull(order);
        return Owns(integration.Shop.Centra?.OrderFilter, order.StoreId, order.MarketId, order.CountryCode);
    }

    public static bool Owns(OrderOwnershipFilter? filter, string? storeId, string? marketId, string? countryCode) =>
        filter is null
        || (Matches(filter.StoreIds, storeId) && Matches(filter.MarketIds, marketId) && Matches(filter.Countries, countryCode));

    /// <summary>
    /// True when some order could match both filters: in every dimension either side is unrestricted or
    /// the two lists share a value. A null filter (all orders) overlaps everything.
    /// </summary>
    public static bool Overlaps(OrderOwnershipFilter? a, OrderOwnershipFilter? b) =>
        a is null || b is null
        || (Intersect(a.StoreIds, b.StoreIds) && Intersect(a.MarketIds, b.MarketIds) && Intersect(a.Countries, b.Countries));

    private static bool Matches(IReadOnlyList<string> allowed, string? value) =>
        allowed.Count == 0 || (value is not null && allowed.Any(a => string.Equals(a.Trim(), value.Trim(), StringComparison.OrdinalIgnoreCase)));

    private static bool Intersect(IReadOnlyList<string> a, IReadOnlyList<string> b) =>
        a.Count == 0 || b.Count == 0 || a.Any(x => b.Any(y => string.Equals(x.Trim(), y.Trim(), StringComparison.OrdinalIgnoreCase)));
}
