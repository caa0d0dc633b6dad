using Junipeer.Core.Stock;
using Junipeer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Junipeer.Tests.Stock.StockTestKit;

namespace Junipeer.Tests.Stock;

/// <summary>
/// Two instances taking turns at the stock pass (the timer on one, a hint's queue message on the other), against
/// Azurite and the emulators over HTTP. Review finding: each instance skipped SKUs it remembered sending, so a level
/// the other instance set in between stayed in Centra for good.
/// </summary>
public class StockInstancesTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_level_another_instance_set_in_between_is_corrected_by_the_next_pass_on_this_one()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { Integration = i => WithStock(i) });
        SeedCatalogue(h, 2);
        await MapAsync(h, [1, 2]);
        var x = ActivatorUtilities.CreateInstance<StockSyncHandler>(h.Services);
        var y = ActivatorUtilities.CreateInstance<StockSyncHandler>(h.Services);

        h.Sandbox.State.Visma.SetAvailable(h.Tenant, Number(1), "MAIN", 5);
        Assert.Null((await x.RunPassAsync(h.Integration, "timer", Ct)).ErrorCode);
        Assert.Empty(Divergent(h, [1, 2]));

        h.Sandbox.State.Visma.SetAvailable(h.Tenant, Number(1), "MAIN", 3);
        Assert.Null((await y.RunPassAsync(h.Integration, "hint", Ct)).ErrorCode);
        Assert.Empty(Divergent(h, [1, 2]));

        // Back to 5 in Visma: instance x last sent 5, but Centra holds y's 3.
        h.Sandbox.State.Visma.SetAvailable(h.Tenant, Number(1), "MAIN", 5);
        Assert.Null((await x.RunPassAsync(h.Integration, "timer", Ct)).ErrorCode);
        Assert.Empty(Divergent(h, [1, 2]));
        Assert.Equal(5, h.Sandbox.State.Centra.Sizes().Single(s => s.Sku == Sku(1)).Stock[CentraMain]);
    }
}
