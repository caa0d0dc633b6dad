using Junipeer.Core.Customers;
using Junipeer.Core.Integrations;
using Junipeer.Core.Sync;
using Junipeer.Sandbox.Visma;
using Junipeer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Junipeer.Tests.Customers;

/// <summary>
/// Two catalogue runs at once (the timer on two instances, or the timer and an operator's command): each run is
/// its own lease owner, so a run never acts on a row another run holds. Found by the 500-order chaos run, where
/// the demo's product sync and the host's timer both took rows as the same owner ("product-sync") and one of
/// them ended in a lost lease; two runs that both believe they hold a row can both send the create.
/// Against Azurite and the emulators over loopback HTTP.
/// </summary>
public class ConcurrentCatalogueRunTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_customer_row_another_run_holds_is_left_to_that_run_and_taken_by_the_next_run_once_free()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { Integration = i => i with { Customers = new CustomerFlowSettings { Enabled = true } } });
        var olle = h.Sandbox.State.Visma.AddCustomer(h.Tenant, new VismaCustomerEdit { Name = "Olle Berg", Email = "olle@example.se", AddressLine1 = "Kungsgatan 2", PostalCode = "41119", City = "Göteborg", CountryId = "SE" });

        // Another customer run (on another instance) holds Olle's row and is about to create him in Centra. It
        // takes the row under the owner name the runs used before this fix ("customer-sync", the same for every
        // run): this run must still see the row as someone else's.
        var other = await h.Services.GetRequiredService<ExactlyOnce>().OpenAsync<ShopCustomerPhase>(
            new LedgerKey(h.Integration.Id, Flows.ShopCustomers, olle), "customer-sync", "customers-other-instance", TimeSpan.FromMinutes(5), Ct);
        await other.FenceAsync(null, Ct);
        Assert.True(other.IsLeased);

        var run = await h.Services.GetRequiredService<CustomerSyncHandler>().SyncAsync(h.Integration, Ct);
        Assert.Empty(h.Sandbox.State.Centra.Customers());
        Assert.Equal(0, run.CreatedInShop);
        Assert.Empty(run.Failed); // not an error: the other run has it

        // The other run gives the row back without creating; the next run creates Olle once.
        await other.ReleaseAsync(Junipeer.Core.Errors.ErrorCodes.ErpUnavailable, "given back by the other run", Ct);
        var next = await h.Services.GetRequiredService<CustomerSyncHandler>().SyncAsync(h.Integration, Ct);
        Assert.Equal(1, next.CreatedInShop);
        Assert.Single(h.Sandbox.State.Centra.Customers());
    }
}
