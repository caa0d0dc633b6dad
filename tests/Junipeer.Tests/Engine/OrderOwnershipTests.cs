using Junipeer.Core.Integrations;
using Junipeer.Core.Orders;
using Junipeer.Core.Shop;

namespace Junipeer.Tests.Engine;

public class OrderOwnershipTests
{
    private static readonly OrderOwnershipFilter Sweden = new() { MarketIds = ["1"], Countries = ["SE"] };

    private static Integration Base() => Junipeer.Tests.Connectors.ConnectorTestSupport.Integration();

    [Fact]
    public void No_filter_owns_everything_and_each_list_must_contain_the_value()
    {
        Assert.True(OrderOwnership.Owns(null, "1", "9", "NO"));
        Assert.True(OrderOwnership.Owns(Sweden, "7", "1", "se"));
        Assert.False(OrderOwnership.Owns(Sweden, "7", "2", "SE"));
        Assert.False(OrderOwnership.Owns(Sweden, "7", "1", "NO"));
        Assert.False(OrderOwnership.Owns(Sweden, "7", "1", null));
    }

    [Fact]
    public void Owns_reads_store_market_and_shipping_country_of_a_ShopOrder_and_a_sweep_ref()
    {
        var i = Base();
        var integration = i with { Shop = i.Shop with { Centra = i.Shop.Centra! with { OrderFilter = new OrderOwnershipFilter { StoreIds = ["2"], Countries = ["NO"] } } } };
        var order = TestData.Order("NO", [TestData.Line("A", 1, 100m, 25m)]) with { StoreId = "2" };

        Assert.True(OrderOwnership.Owns(integration, order));
        Assert.False(OrderOwnership.Owns(integration, order with { StoreId = "1" }));
        Assert.True(OrderOwnership.Owns(integration, new ShopOrderRef("1", DateTimeOffset.UnixEpoch, "2", "5", "NO")));
        Assert.False(OrderOwnership.Owns(integration, new ShopOrderRef("1", DateTimeOffset.UnixEpoch, "2", "5", "SE")));
    }

    [Fact]
    public void Filters_overlap_unless_some_dimension_is_disjoint()
    {
        Assert.True(OrderOwnership.Overlaps(null, Sweden));
        Assert.True(OrderOwnership.Overlaps(Sweden, new OrderOwnershipFilter { StoreIds = ["3"] }));
        Assert.False(OrderOwnership.Overlaps(Sweden, new OrderOwnershipFilter { MarketIds = ["2"] }));
        Assert.False(OrderOwnership.Overlaps(Sweden, new OrderOwnershipFilter { MarketIds = ["1"], Countries = ["NO"] }));
        Assert.True(OrderOwnership.Overlaps(Sweden, new OrderOwnershipFilter { MarketIds = ["1", "2"] }));
    }

    [Fact]
    public void The_validator_rejects_malformed_filters()
    {
        var i = Base();
        var bad = i with { Shop = i.Shop with { Centra = i.Shop.Centra! with { OrderFilter = new OrderOwnershipFilter { StoreIds = ["main"], Countries = ["Sweden"] } } } };

        var problems = IntegrationValidator.Problems(bad);

        Assert.Contains(problems, p => p.Contains("'main'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("'Sweden'", StringComparison.Ordinal));
    }
}
