using Junipeer.Core.Integrations;
using Junipeer.Core.Shadow;
using Junipeer.Core.Sync;
using Junipeer.Functions.Customers;
using Junipeer.Sandbox.Centra;
using Junipeer.Sandbox.Visma;
using Junipeer.Tests.Infrastructure;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace Junipeer.Tests.Shadow;

/// <summary>
/// The customer shadow shows every field a live update would send, old → new, including a field emptied on one side
/// (a clear, new value null), against Azurite and both emulators over loopback HTTP; nothing is written in shadow, and
/// the live run then clears exactly those fields.
/// </summary>
public class ShadowCustomerFieldTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_field_cleared_on_either_side_shows_in_the_would_update_as_old_to_cleared_and_the_live_run_clears_it()
    {
        var vendorClock = new VirtualTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions
        {
            SandboxTime = vendorClock,
            Integration = i => i with { Customers = new CustomerFlowSettings { Enabled = true } },
        });
        var centra = h.Sandbox.State.Centra;
        var visma = h.Sandbox.State.Visma;
        var anna = centra.AddCustomer(new CentraCustomerData
        {
            Email = "anna@example.se", FirstName = "Anna", LastName = "Svensson", Address1 = "Storgatan 1", Address2 = "c/o Berg", ZipCode = "11122", City = "Stockholm", CountryCode = "SE",
        });
        var olle = visma.AddCustomer(h.Tenant, new VismaCustomerEdit
        {
            Name = "Olle AB", Email = "olle@example.se", AddressLine1 = "Kungsgatan 2", PostalCode = "41119", City = "Göteborg", CountryId = "SE", VatRegistrationId = "SE556677889901",
        });

        // Live: both sides agree on everything (Anna's line 2 in Visma.net, Olle's VAT number in Centra).
        await h.Function<CustomerSyncFunction>().Run(new TimerInfo(), Ct);
        Assert.Equal("c/o Berg", Assert.Single(h.Customers, c => c.Email == "anna@example.se").AddressLine2);
        Assert.Equal("SE556677889901", Assert.Single(centra.Customers(), c => c.Data.Email == "olle@example.se").Data.VatNumber);

        // Shadow; a user empties Anna's line 2 in Centra and Olle's VAT number in Visma.net.
        var store = h.Services.GetRequiredService<IIntegrationStore>();
        await store.SaveAsync(h.Integration with { Mode = IntegrationMode.Shadow, Customers = new CustomerFlowSettings { Enabled = true } }, Ct);
        vendorClock.Advance(TimeSpan.FromMinutes(1));
        centra.EditCustomer(anna, d => d with { Address2 = null });
        visma.EditCustomer(h.Tenant, olle, new VismaCustomerEdit { VatRegistrationId = "" });
        var vismaWrites = ShadowFlowsTests.VismaWrites(h);
        var centraMutations = ShadowFlowsTests.CentraMutations(h);

        await h.Function<CustomerSyncFunction>().Run(new TimerInfo(), Ct);

        Assert.Equal(0, ShadowFlowsTests.VismaWrites(h) - vismaWrites);
        Assert.Equal(0, ShadowFlowsTests.CentraMutations(h) - centraMutations);
        var records = await h.Services.GetRequiredService<ShadowService>().QueryAsync(h.Integration.Id, Flows.Customers, null, Ct);
        var toErp = Assert.Single(records, r => r.EntityKey == "centra:" + anna);
        Assert.Equal((ShadowOutcome.WouldBook, "update", "erp"), (toErp.Outcome, toErp.Action, toErp.Target));
        Assert.Equal([new ShadowFieldChange("line2", "c/o Berg", null)], toErp.Changes);
        var toShop = Assert.Single(records, r => r.EntityKey == "visma:" + olle);
        Assert.Equal((ShadowOutcome.WouldBook, "update", "shop"), (toShop.Outcome, toShop.Action, toShop.Target));
        Assert.Equal([new ShadowFieldChange("vat", "SE556677889901", null)], toShop.Changes);

        // Live again: exactly those fields are cleared.
        await store.SaveAsync(h.Integration with { Mode = IntegrationMode.Live, CutOverDate = vendorClock.GetUtcNow(), Customers = new CustomerFlowSettings { Enabled = true } }, Ct);
        await h.Function<CustomerSyncFunction>().Run(new TimerInfo(), Ct);
        Assert.True(string.IsNullOrEmpty(Assert.Single(h.Customers, c => c.Email == "anna@example.se").AddressLine2));
        Assert.True(string.IsNullOrEmpty(Assert.Single(centra.Customers(), c => c.Data.Email == "olle@example.se").Data.VatNumber));
        Assert.Empty(h.Sandbox.State.Contract.All);
    }
}
