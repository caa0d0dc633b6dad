using Junipeer.Cli.Demo;
using Junipeer.Core.Customers;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Functions.Customers;
using Junipeer.Sandbox.Centra;
using Junipeer.Sandbox.Visma;
using Junipeer.Tests.Infrastructure;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace Junipeer.Tests.Customers;

/// <summary>Customers both ways, against Azurite and both emulators over loopback HTTP (strict contracts).</summary>
public class CustomerSyncTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Integration WithCustomers(Integration i) => i with { Customers = new CustomerFlowSettings { Enabled = true } };

    private static CentraCustomerData Anna => new()
    {
        Email = "anna@example.se", FirstName = "Anna", LastName = "Svensson", Address1 = "Storgatan 1", ZipCode = "11122", City = "Stockholm", CountryCode = "SE",
    };

    private static CentraCustomerData Muster => new()
    {
        Email = "einkauf@muster.de", FirstName = "Max", LastName = "Muster", CompanyName = "Muster GmbH", Address1 = "Hauptstr. 5", ZipCode = "10115", City = "Berlin",
        CountryCode = "DE", VatNumber = "DE123456789",
    };

    private static Task<CustomerRunResult> SyncAsync(EngineHarness h) =>
        h.Services.GetRequiredService<CustomerSyncHandler>().SyncAsync(h.Integration, Ct);

    private static VismaCustomerSnapshot VismaByEmail(EngineHarness h, string email) =>
        Assert.Single(h.Customers, c => string.Equals(c.Email, email, StringComparison.OrdinalIgnoreCase));

    private static CentraCustomerSnapshot CentraByEmail(EngineHarness h, string email) =>
        Assert.Single(h.Sandbox.State.Centra.Customers(), c => string.Equals(c.Data.Email, email, StringComparison.OrdinalIgnoreCase));

    [Fact]
    public async Task Customers_sync_both_ways_with_class_from_the_VAT_rules_and_no_change_is_ever_sent_back()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { Integration = WithCustomers });
        var centra = h.Sandbox.State.Centra;
        var visma = h.Sandbox.State.Visma;
        var anna = centra.AddCustomer(Anna);
        centra.AddCustomer(Muster);
        var olle = visma.AddCustomer(h.Tenant, new VismaCustomerEdit { Name = "Olle Berg", Email = "olle@example.se", AddressLine1 = "Kungsgatan 2", PostalCode = "41119", City = "Göteborg", CountryId = "SE" });

        // The timer function runs the sync.
        await h.Function<CustomerSyncFunction>().Run(new TimerInfo(), Ct);
        var annaInVisma = VismaByEmail(h, "anna@example.se");
        Assert.Equal("Anna Svensson", annaInVisma.Name);
        Assert.Equal("DOMESTIC", annaInVisma.CustomerClassId);
        Assert.Equal("Stockholm", annaInVisma.City);
        var musterInVisma = VismaByEmail(h, "einkauf@muster.de");
        Assert.Equal("Muster GmbH", musterInVisma.Name);
        Assert.Equal("EUB2B", musterInVisma.CustomerClassId); // reverse charge: business with a valid EU VAT number
        Assert.Equal("DE123456789", musterInVisma.VatRegistrationId);
        Assert.True(string.CompareOrdinal(annaInVisma.Number, "10000") >= 0); // auto-numbered from the series
        var olleInCentra = CentraByEmail(h, "olle@example.se");
        Assert.Equal(("Olle", "Berg", "Göteborg"), (olleInCentra.Data.FirstName, olleInCentra.Data.LastName, olleInCentra.Data.City));
        Assert.Equal(3, h.Customers.Count);
        Assert.Equal(3, centra.Customers().Count);

        // Nothing changed: a second run writes nothing on either side (its own writes come back in the deltas).
        var quiet = await SyncAsync(h);
        Assert.Equal((0, 0, 0, 0), (quiet.CreatedInErp, quiet.UpdatedInErp, quiet.CreatedInShop, quiet.UpdatedInShop));
        Assert.True(quiet.Unchanged >= 3);

        // A user changes Anna's city in Centra and another renames Olle in Visma.
        centra.EditCustomer(anna, c => c with { City = "Uppsala", ZipCode = "75310" });
        visma.EditCustomer(h.Tenant, olle, new VismaCustomerEdit { Name = "Olle Bergström" });
        var changed = await SyncAsync(h);
        Assert.Equal((0, 1, 0, 1), (changed.CreatedInErp, changed.UpdatedInErp, changed.CreatedInShop, changed.UpdatedInShop));
        Assert.Equal("Uppsala", VismaByEmail(h, "anna@example.se").City);
        Assert.Equal("75310", VismaByEmail(h, "anna@example.se").PostalCode);
        Assert.Equal("Bergström", CentraByEmail(h, "olle@example.se").Data.LastName);

        var again = await SyncAsync(h);
        Assert.Equal((0, 0, 0, 0), (again.CreatedInErp, again.UpdatedInErp, again.CreatedInShop, again.UpdatedInShop));
        Assert.Equal(0, visma.CustomerEchoes);
        Assert.Equal(0, centra.CustomerEchoes);
        Assert.Empty(changed.Failed);
        ContractAssert.NoVismaViolations(h.Sandbox.State);
        Assert.Empty(h.Sandbox.State.Contract.All);
    }

    [Fact]
    public async Task After_storage_is_lost_the_newer_side_wins_an_ERP_users_edit_reaches_Centra_and_a_Centra_edit_reaches_the_ERP()
    {
        var vendorClock = new VirtualTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { Integration = WithCustomers, SandboxTime = vendorClock });
        var centra = h.Sandbox.State.Centra;
        var visma = h.Sandbox.State.Visma;
        var anna = centra.AddCustomer(Anna);
        var olle = visma.AddCustomer(h.Tenant, new VismaCustomerEdit { Name = "Olle Berg", Email = "olle@example.se", AddressLine1 = "Kungsgatan 2", PostalCode = "41119", City = "Göteborg", CountryId = "SE" });
        await SyncAsync(h);
        Assert.Equal("Berg", CentraByEmail(h, "olle@example.se").Data.LastName);

        // Users edit both sides; before the next run every table is lost (mappings, fingerprints, checkpoints).
        vendorClock.Advance(TimeSpan.FromMinutes(1));
        visma.EditCustomer(h.Tenant, olle, new VismaCustomerEdit { Name = "Olle Bergström", City = "Mölndal" });
        centra.EditCustomer(anna, c => c with { City = "Uppsala", ZipCode = "75310" });
        await h.WipeStorageAsync();

        var run = await SyncAsync(h);
        Assert.Empty(run.Failed);
        var olleInCentra = CentraByEmail(h, "olle@example.se").Data;
        Assert.Equal(("Bergström", "Mölndal"), (olleInCentra.LastName, olleInCentra.City)); // the ERP edit reached Centra
        Assert.Equal(("Olle Bergström", "Mölndal"), (VismaByEmail(h, "olle@example.se").Name, VismaByEmail(h, "olle@example.se").City)); // and was not overwritten
        Assert.Equal(("Uppsala", "75310"), (VismaByEmail(h, "anna@example.se").City, VismaByEmail(h, "anna@example.se").PostalCode)); // the Centra edit reached the ERP
        Assert.Equal(2, h.Customers.Count);
        Assert.Equal(2, centra.Customers().Count);

        var quiet = await SyncAsync(h);
        Assert.Equal((0, 0, 0, 0), (quiet.CreatedInErp, quiet.UpdatedInErp, quiet.CreatedInShop, quiet.UpdatedInShop));
        Assert.Equal(0, visma.CustomerEchoes);
        Assert.Equal(0, centra.CustomerEchoes);
        ContractAssert.NoVismaViolations(h.Sandbox.State);
    }

    [Fact]
    public async Task A_DTC_orders_buyer_is_a_Centra_customer_so_the_ERP_customer_the_order_flow_made_is_matched_not_created_again_in_Centra()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { Integration = WithCustomers });
        var order = h.Sandbox.State.Centra.AddOrder(DemoScenario.Orders(at: h.Sandbox.State.Clock.GetUtcNow()).First(o => o.StoreType == "DTC" && o.Customer?.Email is not null));
        await h.SweepAsync();
        await h.DrainAsync();
        Assert.Single(h.Invoices);
        var buyer = Assert.Single(h.Customers);
        Assert.Single(h.Sandbox.State.Centra.Customers()); // Order.customer is a Centra customer (emulator registers it)

        var run = await SyncAsync(h);
        Assert.Empty(run.Failed);
        Assert.Equal(0, run.CreatedInShop); // found by e-mail, not created a second time
        Assert.Equal(0, run.CreatedInErp);
        Assert.Single(h.Customers, c => c.Number == buyer.Number);
        Assert.Single(h.Sandbox.State.Centra.Customers());
        Assert.Equal(0, h.Sandbox.State.Centra.CustomersCreatedByApi);
        Assert.NotNull(order);
    }

    [Fact]
    public async Task A_412_re_reads_and_re_applies_only_the_shop_change_keeping_the_ERP_users_edit()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { Integration = WithCustomers });
        var centra = h.Sandbox.State.Centra;
        var visma = h.Sandbox.State.Visma;
        var anna = centra.AddCustomer(Anna);
        await SyncAsync(h);
        var number = VismaByEmail(h, "anna@example.se").Number;

        // Anna changes her e-mail in Centra; while the engine's PUT is on its way, a user saves a new street in Visma.
        centra.EditCustomer(anna, c => c with { Email = "anna.svensson@example.se" });
        var fired = false;
        visma.OnCustomerUpdate = (tenant, n) =>
        {
            if (!fired && n == number)
            {
                fired = true;
                visma.EditCustomer(tenant, n, new VismaCustomerEdit { AddressLine1 = "Drottninggatan 9" });
            }
        };

        var run = await SyncAsync(h);
        Assert.True(fired);
        Assert.Equal(1, run.VersionConflicts);
        Assert.Equal(1, run.UpdatedInErp);
        var after = Assert.Single(h.Customers);
        Assert.Equal("anna.svensson@example.se", after.Email); // the shop's change, re-applied on the new version
        Assert.Equal("Drottninggatan 9", after.AddressLine1); // the user's change survived

        // The user's street is a real ERP change: it reaches Centra in the same run; nothing echoes.
        Assert.Equal(1, run.UpdatedInShop);
        Assert.Equal("Drottninggatan 9", centra.Customers().Single().Data.Address1);
        var quiet = await SyncAsync(h);
        Assert.Equal((0, 0), (quiet.UpdatedInErp, quiet.UpdatedInShop));
        Assert.Equal(0, visma.CustomerEchoes);
        Assert.Equal(0, centra.CustomerEchoes);
        Assert.Equal(2, h.Sandbox.State.Stats.CountPrefix("visma PUT ")); // the refused PUT and its re-application
        ContractAssert.NoVismaViolations(h.Sandbox.State);
    }

    [Fact]
    public async Task A_taken_series_number_is_CUSTOMER_NUMBER_CONFLICT_for_that_customer_and_the_others_still_sync()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { Integration = WithCustomers });
        var centra = h.Sandbox.State.Centra;
        var visma = h.Sandbox.State.Visma;

        // Someone typed customer 10000 by hand; the series' next number is 10000.
        visma.AddCustomer(h.Tenant, new VismaCustomerEdit { Name = "Olle Berg", Email = "olle@example.se", City = "Göteborg", CountryId = "SE" }, number: "10000");
        visma.SetCustomerSeries(h.Tenant, last: null);
        var anna = centra.AddCustomer(Anna);
        centra.AddCustomer(new CentraCustomerData { Email = "olle@example.se", FirstName = "Olle", LastName = "Berg", City = "Malmö", CountryCode = "SE" });

        var run = await SyncAsync(h);
        Assert.Equal(("centra:" + anna, ErrorCodes.CustomerNumberConflict), Assert.Single(run.Failed));
        Assert.Equal("Malmö", VismaByEmail(h, "olle@example.se").City); // the other customer was synced
        var e = Assert.Single(await h.EventsAsync(), x => x.ErrorCode == ErrorCodes.CustomerNumberConflict);
        Assert.Contains("CS201010", e.Fix, StringComparison.Ordinal);
        Assert.Contains("already exists", e.Message, StringComparison.Ordinal);

        // The operator moves the series past the taken number: the next run creates Anna as 10001.
        visma.SetCustomerSeries(h.Tenant, last: "10000");
        var fixedRun = await SyncAsync(h);
        Assert.Empty(fixedRun.Failed);
        Assert.Equal(1, fixedRun.CreatedInErp);
        Assert.Equal("10001", VismaByEmail(h, "anna@example.se").Number);
    }

    [Fact]
    public async Task An_exhausted_series_is_CUSTOMER_NUMBER_SERIES_EXHAUSTED_and_the_others_still_sync()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { Integration = WithCustomers });
        var centra = h.Sandbox.State.Centra;
        var visma = h.Sandbox.State.Visma;
        visma.AddCustomer(h.Tenant, new VismaCustomerEdit { Name = "Olle Berg", Email = "olle@example.se", City = "Göteborg", CountryId = "SE" });
        visma.SetCustomerSeries(h.Tenant, last: "10000", end: "10000");
        var anna = centra.AddCustomer(Anna);
        centra.AddCustomer(new CentraCustomerData { Email = "olle@example.se", FirstName = "Olle", LastName = "Berg", City = "Lund", CountryCode = "SE" });

        var run = await SyncAsync(h);
        Assert.Equal(("centra:" + anna, ErrorCodes.CustomerNumberSeriesExhausted), Assert.Single(run.Failed));
        Assert.Equal("Lund", VismaByEmail(h, "olle@example.se").City);
        Assert.Contains(await h.EventsAsync(), x => x.ErrorCode == ErrorCodes.CustomerNumberSeriesExhausted && x.Fix!.Contains("end number", StringComparison.Ordinal));
        Assert.Single(h.Customers);
    }
}
