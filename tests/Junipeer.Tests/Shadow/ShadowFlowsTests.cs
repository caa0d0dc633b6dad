using System.Text.Json;
using Junipeer.Cli.Demo;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Orders;
using Junipeer.Core.Payouts;
using Junipeer.Core.Refunds;
using Junipeer.Core.Shadow;
using Junipeer.Core.Sync;
using Junipeer.Functions.Customers;
using Junipeer.Sandbox;
using Junipeer.Sandbox.Centra;
using Junipeer.Sandbox.Stripe;
using Junipeer.Sandbox.Visma;
using Junipeer.Tests.Cli;
using Junipeer.Tests.Infrastructure;
using Junipeer.Tests.Payouts;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace Junipeer.Tests.Shadow;

/// <summary>
/// Shadow mode for the flows beyond orders — payouts (payments, fee write-offs, credit notes, unmatched
/// transactions), Centra refunds and customers both ways — against Azurite and the Sandbox over loopback
/// HTTP: the emulators prove that only GETs reached Visma and no mutation reached Centra; then the cut-over
/// books each document exactly once.
/// </summary>
public class ShadowFlowsTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] CentraMutationNames =
        ["CaptureShipment", "CreateCustomer", "CreateProduct", "CreateProductSize", "CreateProductVariant", "CreateShipment", "SetStock", "UpdateCustomer", "UpdateProduct"];

    /// <summary>Requests other than GET that reached the Visma.net ERP emulator (Visma Connect token requests are not the ERP's).</summary>
    internal static long VismaWrites(EngineHarness h) =>
        h.Sandbox.State.Stats.Calls.Where(kv => kv.Key.StartsWith("visma ", StringComparison.Ordinal) && !kv.Key.StartsWith("visma GET ", StringComparison.Ordinal)).Sum(kv => kv.Value);

    /// <summary>GraphQL mutations that reached the Centra emulator, by the operation names the connectors send.</summary>
    internal static long CentraMutations(EngineHarness h) =>
        h.Sandbox.State.Stats.Calls.Where(kv => CentraMutationNames.Any(n => kv.Key == "centra POST /graphql " + n)).Sum(kv => kv.Value);

    private static Task SaveAsync(EngineHarness h, Integration integration) =>
        h.Services.GetRequiredService<IIntegrationStore>().SaveAsync(integration, Ct);

    private static Task<RefundSyncResult> RefundsAsync(EngineHarness h, int order) =>
        h.Services.GetRequiredService<RefundSyncHandler>().HandleAsync(
            WorkItem.ForRefunds(h.Integration.Id, order.ToString(System.Globalization.CultureInfo.InvariantCulture), WorkReasons.Replay, "c-" + order, DateTimeOffset.UtcNow), "test", Ct);

    private static async Task DeliverAsync(StripeKit k, string payoutId)
    {
        var e = await k.EventAsync(payoutId);
        Assert.Equal(202, (await k.PostAsync(e.Body, e.Signature)).Status);
        await k.DrainAsync();
    }

    [Fact]
    public async Task Payouts_and_refunds_in_shadow_record_payments_write_offs_credit_notes_and_unmatched_lines_with_only_GETs_then_the_cut_over_books_each_once()
    {
        await using var k = await StripeKit.StartAsync(azurite, s => s with { ShopRefunds = true });
        var h = k.H;
        long M(decimal d) => StripeKit.Minor(d);

        // Live history: three invoices (two customers) booked by the order flow.
        var inv = await k.InvoicesAsync((7301, "anna@example.se"), (7302, "anna@example.se"), (7303, "bo@example.se"));

        // Shadow from here on.
        var shadow = k.Integration with { Mode = IntegrationMode.Shadow };
        await SaveAsync(h, shadow);
        var writesBefore = VismaWrites(h);
        var mutationsBefore = CentraMutations(h);
        var paymentsBefore = h.Sandbox.State.Stats.Count("visma POST /v1/customerPayment");

        // An order placed during shadow: its invoice only "would be" booked.
        var spec = DemoData.SwedishOrder(7304);
        h.AddOrder(spec);
        await h.SweepAsync();
        await h.DrainAsync();

        var seededAt = h.Sandbox.State.Clock.GetUtcNow();
        var payout = await k.SeedAsync(
            new StripeTransactionSeed { Type = "charge", Amount = M(inv[7301].Amount), Fee = 1250, OrderReference = "NT-7301" },
            new StripeTransactionSeed { Type = "charge", Amount = M(inv[7302].Amount), Fee = 725, OrderReference = "NT-7302" },
            new StripeTransactionSeed { Type = "charge", Amount = M(inv[7303].Amount), Fee = 310, OrderReference = "NT-7303" },
            new StripeTransactionSeed { Type = "refund", Amount = -10000, OrderReference = "NT-7303" },
            new StripeTransactionSeed { Type = "charge", Amount = 19900, Fee = 500, OrderReference = "NT-9999" }, // no such order
            new StripeTransactionSeed { Type = "charge", Amount = 12300, Fee = 100, OrderReference = "NT-7304" }, // the order shadowed above
            new StripeTransactionSeed { Type = "stripe_fee", Amount = -1500 });
        // A payout made well before the cut-over (below): shadowed, never booked.
        var early = await k.SeedAsync(new StripePayoutSeed
        {
            Currency = "sek", Created = seededAt.AddHours(-5), ArrivalDate = seededAt.AddDays(1),
            Transactions = [new StripeTransactionSeed { Type = "charge", Amount = 1000, Fee = 0, OrderReference = "NT-7301" }],
        });
        h.Sandbox.State.Centra.AddRefund(7301, "RFD-7301", 50m); // a refund made in Centra

        await DeliverAsync(k, payout);
        await DeliverAsync(k, early);
        var refundRun = await RefundsAsync(h, 7301);
        Assert.Equal(SyncOutcome.Skipped, refundRun.Outcome);

        // Only GETs reached Visma, no mutation reached Centra; nothing booked, no ledger row.
        Assert.Equal(0, VismaWrites(h) - writesBefore);
        Assert.Equal(0, CentraMutations(h) - mutationsBefore);
        Assert.Empty(h.Payments);
        Assert.Empty(h.Sandbox.State.Visma.CreditNotes(h.Tenant));
        Assert.Null(await k.PayoutRowAsync(payout));
        Assert.True(h.Sandbox.State.Stats.CountPrefix("visma GET ") > 0);

        var service = h.Services.GetRequiredService<ShadowService>();
        var record = Assert.Single(await service.QueryAsync(h.Integration.Id, Flows.Payouts, null, Ct), r => r.EntityKey == "stripe:" + payout);
        Assert.Equal(ShadowOutcome.WouldBook, record.Outcome);
        Assert.Equal(2, record.Payments.Count);
        var anna = Assert.Single(record.Payments, p => p.CustomerNumber == inv[7301].CustomerNumber);
        Assert.Equal(inv[7301].Amount - 12.50m + inv[7302].Amount - 7.25m, anna.Amount);
        Assert.Equal(19.75m, anna.WriteOff);
        Assert.Equal(DemoScenario.PspFeeReasonCode, anna.WriteOffReasonCode);
        Assert.Equal([inv[7301].ReferenceNumber, inv[7302].ReferenceNumber], anna.Lines.Select(l => l.InvoiceNumber).Order(StringComparer.Ordinal));
        Assert.Equal(12.50m, anna.Lines.Single(l => l.InvoiceNumber == inv[7301].ReferenceNumber).WriteOff);
        Assert.Null(anna.ExistingDocument);
        var bo = Assert.Single(record.Payments, p => p.CustomerNumber == inv[7303].CustomerNumber);
        Assert.Equal(inv[7303].Amount - 100m - 3.10m, bo.Amount);
        var note = Assert.Single(record.CreditNotes);
        Assert.Equal((inv[7303].ReferenceNumber, 100m, true, "Refund"), (note.InvoiceNumber, note.Amount, note.AppliedToInvoice, note.Kind));
        Assert.Equal(2, record.Unmatched.Count);
        Assert.Equal(ErrorCodes.PayoutInvoiceNotFound, Assert.Single(record.Unmatched, u => u.Reference == "NT-9999").Code);
        var pending = Assert.Single(record.Unmatched, u => u.Reference == "NT-7304");
        Assert.Null(pending.Code); // the orders flow would book its invoice first
        Assert.Contains("7304", pending.Note, StringComparison.Ordinal);
        Assert.Contains(record.Notes, n => n.Contains("fee/other", StringComparison.Ordinal));

        var refundRecord = Assert.Single(await service.QueryAsync(h.Integration.Id, PayoutFlows.Refunds, null, Ct));
        Assert.Equal(("7301", ShadowOutcome.WouldBook), (refundRecord.EntityKey, refundRecord.Outcome));
        var refundNote = Assert.Single(refundRecord.CreditNotes);
        Assert.Equal((inv[7301].ReferenceNumber, 50m, true), (refundNote.InvoiceNumber, refundNote.Amount, refundNote.AppliedToInvoice));
        Assert.Equal(RefundKeys.Reference(PayoutProviders.Adyen, "RFD-7301"), refundNote.Reference);

        // The report groups by flow and lists the unmatched sale as a failure to fix first.
        var report = await service.ReportAsync(h.Integration.Id, Ct);
        Assert.Equal(["orders", "payouts", "refunds"], report.Flows.Select(f => f.Flow));
        var payoutsFlow = report.Flows.Single(f => f.Flow == "payouts");
        Assert.Equal((2, 3, 1, 2), (payoutsFlow.WouldBook, payoutsFlow.Payments, payoutsFlow.CreditNotes, payoutsFlow.Unmatched)); // the early payout would pay 1 more
        var unmatched = Assert.Single(report.FailuresByCode, f => f.Code == ErrorCodes.PayoutInvoiceNotFound);
        Assert.Contains(unmatched.Entities, e => e.StartsWith("stripe:" + payout + "/", StringComparison.Ordinal));
        Assert.Equal(ErrorCodes.Get(ErrorCodes.PayoutInvoiceNotFound).Fix, unmatched.Fix);

        var env = new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString, ["Junipeer__Storage__Prefix"] = h.Prefix };
        var dir = Directory.CreateTempSubdirectory("junipeer-shadow-").FullName;
        await using (var json = CliProcess.Shell($"{CliProcess.CliCommand} shadow report --integration {h.Integration.Id} --json", dir, env))
        {
            Assert.Equal(1, await json.WaitAsync(TimeSpan.FromSeconds(60)));
            using var doc = JsonDocument.Parse(json.StdOut);
            var root = doc.RootElement;
            foreach (var key in new[] { "integration", "mode", "counts", "totals", "failures", "records", "flows" })
                Assert.True(root.TryGetProperty(key, out _), key);
            var flow = root.GetProperty("flows").EnumerateArray().Single(f => f.GetProperty("flow").GetString() == "payouts");
            Assert.Equal(3, flow.GetProperty("payments").GetInt32());
            var rec = flow.GetProperty("records").EnumerateArray().Single(r => r.GetProperty("entityKey").GetString() == "stripe:" + payout);
            Assert.Equal(DemoScenario.PspFeeReasonCode, rec.GetProperty("payments")[0].GetProperty("writeOffReasonCode").GetString());
        }

        await using (var human = CliProcess.Shell($"{CliProcess.CliCommand} shadow report --integration {h.Integration.Id}", dir, env))
        {
            Assert.Equal(1, await human.WaitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("Flow payouts:", human.StdOut, StringComparison.Ordinal);
            Assert.Contains($"write-off 19.75 reason {DemoScenario.PspFeeReasonCode}", human.StdOut, StringComparison.Ordinal);
            Assert.Contains("PAYOUT_INVOICE_NOT_FOUND (", human.StdOut, StringComparison.Ordinal);
        }

        // Cut-over: live from a minute before the payout and the refund; each delivered twice.
        await SaveAsync(h, k.Integration with { Mode = IntegrationMode.Live, CutOverDate = seededAt.AddMinutes(-1) });
        await DeliverAsync(k, payout);
        await DeliverAsync(k, payout);
        await DeliverAsync(k, early);
        await RefundsAsync(h, 7301);
        await RefundsAsync(h, 7301);

        Assert.Equal(2, h.Sandbox.State.Stats.Count("visma POST /v1/customerPayment") - paymentsBefore);
        Assert.Equal(2, h.Payments.Count);
        Assert.Equal(anna.Amount, h.Payments.Single(p => p.CustomerNumber == anna.CustomerNumber).PaymentAmount); // what shadow said
        Assert.Equal(bo.Amount, h.Payments.Single(p => p.CustomerNumber == bo.CustomerNumber).PaymentAmount);
        var notes = h.Sandbox.State.Visma.CreditNotes(h.Tenant);
        Assert.Equal(2, notes.Count); // the payout's refund and the Centra refund, once each
        Assert.Equal(new[] { note.Reference, refundNote.Reference }.Order(StringComparer.Ordinal), notes.Select(n => n.Document.CustomerRefNumber).Order(StringComparer.Ordinal));
        var earlyRow = await k.PayoutRowAsync(early);
        Assert.Equal(LedgerStatus.Skipped, earlyRow!.Status);
        Assert.Contains("cut-over", earlyRow.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(0, h.Sandbox.State.Contract.Count);
    }

    [Fact]
    public async Task Customers_in_shadow_report_creates_and_updates_on_both_sides_with_the_differing_fields_and_write_nothing_then_the_cut_over_writes_each_once()
    {
        var vendorClock = new VirtualTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions
        {
            SandboxTime = vendorClock,
            Integration = i => i with { Mode = IntegrationMode.Shadow, Customers = new CustomerFlowSettings { Enabled = true } },
        });
        var centra = h.Sandbox.State.Centra;
        var visma = h.Sandbox.State.Visma;
        visma.AddCustomer(h.Tenant, new VismaCustomerEdit { Name = "Olle Berg", Email = "olle@example.se", AddressLine1 = "Kungsgatan 2", PostalCode = "41119", City = "Göteborg", CountryId = "SE" });
        var eva = visma.AddCustomer(h.Tenant, new VismaCustomerEdit { Name = "Eva Lund", Email = "eva@example.se", AddressLine1 = "Sveavägen 9", PostalCode = "11157", City = "Stockholm", CountryId = "SE" });
        vendorClock.Advance(TimeSpan.FromMinutes(1));
        centra.AddCustomer(new CentraCustomerData { Email = "anna@example.se", FirstName = "Anna", LastName = "Svensson", Address1 = "Storgatan 1", ZipCode = "11122", City = "Stockholm", CountryCode = "SE" });
        centra.AddCustomer(new CentraCustomerData
        {
            Email = "einkauf@muster.de", FirstName = "Max", LastName = "Muster", CompanyName = "Muster GmbH", Address1 = "Hauptstr. 5", ZipCode = "10115", City = "Berlin", CountryCode = "DE", VatNumber = "DE123456789",
        });
        centra.AddCustomer(new CentraCustomerData { Email = "eva@example.se", FirstName = "Eva", LastName = "Lund", Address1 = "Sveavägen 9", ZipCode = "75310", City = "Uppsala", CountryCode = "SE" });
        var vismaCustomers = h.Customers.Count;
        var centraCustomers = centra.Customers().Count;

        await h.Function<CustomerSyncFunction>().Run(new TimerInfo(), Ct);
        await h.Function<CustomerSyncFunction>().Run(new TimerInfo(), Ct); // a second shadow run: still nothing written

        Assert.Equal(0, VismaWrites(h));
        Assert.Equal(0, CentraMutations(h));
        Assert.Equal(vismaCustomers, h.Customers.Count);
        Assert.Equal(centraCustomers, centra.Customers().Count);
        Assert.True(h.Sandbox.State.Stats.CountPrefix("visma GET /v1/customer") > 0);

        var records = (await h.Services.GetRequiredService<ShadowService>().QueryAsync(h.Integration.Id, Flows.Customers, null, Ct)).ToList();
        ShadowRecord ByName(string name) => Assert.Single(records, r => r.CustomerName == name);
        var anna = ByName("Anna Svensson");
        Assert.Equal((ShadowOutcome.WouldBook, "create", "erp", "DOMESTIC", "SE"), (anna.Outcome, anna.Action, anna.Target, anna.CustomerClassId, anna.TaxZoneId));
        Assert.Contains(anna.Changes, c => c.Field == "city" && c.From is null && c.To == "Stockholm");
        var muster = ByName("Muster GmbH");
        Assert.Equal(("create", "EUB2B"), (muster.Action, muster.CustomerClassId));
        Assert.Contains(muster.Changes, c => c.Field == "vat" && c.To == "DE123456789");
        var evaUpdate = Assert.Single(records, r => r.EntityKey.StartsWith("centra:", StringComparison.Ordinal) && r.CustomerNumber == eva);
        Assert.Equal((ShadowOutcome.WouldBook, "update", "erp"), (evaUpdate.Outcome, evaUpdate.Action, evaUpdate.Target));
        Assert.Contains(new ShadowFieldChange("city", "Stockholm", "Uppsala"), evaUpdate.Changes);
        Assert.Contains(new ShadowFieldChange("postalCode", "11157", "75310"), evaUpdate.Changes);
        Assert.DoesNotContain(evaUpdate.Changes, c => c.Field is "name" or "email" or "line1"); // the same on both sides
        Assert.DoesNotContain(records, r => r.EntityKey == "visma:" + eva); // settled by the Centra → ERP pass, as a live run would
        var olle = Assert.Single(records, r => r.Target == "shop");
        Assert.Equal((ShadowOutcome.WouldBook, "create", "Olle Berg"), (olle.Outcome, olle.Action, olle.CustomerName));
        Assert.Contains(olle.Changes, c => c.Field == "lastName" && c.To == "Berg");

        var report = await h.Services.GetRequiredService<ShadowService>().ReportAsync(h.Integration.Id, Ct);
        var flow = Assert.Single(report.Flows);
        Assert.Equal(("customers", 3, 1), (flow.Flow, flow.Creates, flow.Updates));

        // Cut-over: the live sync writes each of them once; a second run writes nothing.
        await SaveAsync(h, h.Integration with { Mode = IntegrationMode.Live, CutOverDate = vendorClock.GetUtcNow() });
        await h.Function<CustomerSyncFunction>().Run(new TimerInfo(), Ct);
        await h.Function<CustomerSyncFunction>().Run(new TimerInfo(), Ct);
        Assert.Single(h.Customers, c => c.Email == "anna@example.se");
        Assert.Single(h.Customers, c => c.Email == "einkauf@muster.de");
        Assert.Equal("Uppsala", Assert.Single(h.Customers, c => c.Email == "eva@example.se").City);
        Assert.Single(centra.Customers(), c => c.Data.Email == "olle@example.se");
        Assert.Equal(vismaCustomers + 2, h.Customers.Count);
        Assert.Equal(centraCustomers + 1, centra.Customers().Count);
        Assert.Equal(1, h.Sandbox.State.Stats.Count("centra POST /graphql CreateCustomer"));
        Assert.Empty(h.Sandbox.State.Contract.All);
    }

    [Fact]
    public async Task Stock_in_shadow_records_the_level_per_SKU_it_would_set_sends_no_setStock_and_the_live_run_sets_them()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { Integration = i => Stock.StockTestKit.WithStock(i) with { Mode = IntegrationMode.Shadow } });
        Stock.StockTestKit.SeedCatalogue(h, 6);
        await Stock.StockTestKit.MapAsync(h, Enumerable.Range(1, 5)); // article 6 has no SKU mapping
        var before = h.Sandbox.State.Centra.Sizes().ToDictionary(s => s.Sku, s => s.Stock.GetValueOrDefault(Stock.StockTestKit.CentraMain));

        await Stock.StockTestKit.RunTimerAsync(h);
        h.Sandbox.State.Visma.SetAvailable(h.Tenant, Stock.StockTestKit.Number(2), "MAIN", 40);
        await Stock.StockTestKit.RunTimerAsync(h); // a later shadow run: the moved level replaces the earlier one

        Assert.Equal(0, Stock.StockTestKit.SetStockCalls(h));
        Assert.Equal(0, CentraMutations(h));
        Assert.Equal(0, VismaWrites(h));
        Assert.Equal(before, h.Sandbox.State.Centra.Sizes().ToDictionary(s => s.Sku, s => s.Stock.GetValueOrDefault(Stock.StockTestKit.CentraMain)));
        var records = await h.Services.GetRequiredService<ShadowService>().QueryAsync(h.Integration.Id, Flows.Stock, null, Ct);
        var main = Assert.Single(records, r => r.EntityKey == "warehouse:" + Stock.StockTestKit.CentraMain);
        Assert.Equal(ShadowOutcome.WouldBook, main.Outcome);
        Assert.Equal(Enumerable.Range(1, 5).Select(i => (Stock.StockTestKit.Sku(i), Stock.StockTestKit.Number(i), i == 2 ? 40 : i)).OrderBy(x => x.Item1, StringComparer.Ordinal),
            main.StockLevels.Select(l => (l.Sku, l.Article, l.Quantity)));
        var unmapped = Assert.Single(records, r => r.Outcome == ShadowOutcome.Failed);
        Assert.Equal(("article:" + Stock.StockTestKit.Number(6), ErrorCodes.StockSkuUnmapped), (unmapped.EntityKey, unmapped.ErrorCode));
        var report = await h.Services.GetRequiredService<ShadowService>().ReportAsync(h.Integration.Id, Ct);
        Assert.Equal(ErrorCodes.StockSkuUnmapped, Assert.Single(report.FailuresByCode).Code);

        // Live: the first run sets exactly what shadow said.
        await SaveAsync(h, h.Integration with { Mode = IntegrationMode.Live, CutOverDate = DateTimeOffset.UtcNow });
        await Stock.StockTestKit.RunTimerAsync(h);
        Assert.Equal(1, Stock.StockTestKit.SetStockCalls(h));
        var sizes = h.Sandbox.State.Centra.Sizes().ToDictionary(s => s.Sku);
        Assert.All(main.StockLevels, l => Assert.Equal(l.Quantity, sizes[l.Sku].Stock[Stock.StockTestKit.CentraMain]));
        Assert.Empty(h.Sandbox.State.Contract.All);
    }

    [Fact]
    public void Shadow_mode_is_allowed_with_every_flow_on()
    {
        var i = JsonSerializer.Deserialize<Integration>(File.ReadAllText(Path.Combine(Junipeer.Cli.Azurite.AzuriteRunner.RepositoryRoot(), "docs", "examples", "integration.json")), Junipeer.Core.JunipeerJson.Options)!;
        var shadow = i with { Mode = IntegrationMode.Shadow };
        Assert.Empty(IntegrationValidator.Problems(shadow with { Customers = new CustomerFlowSettings { Enabled = true } }));
        Assert.DoesNotContain(IntegrationValidator.Problems(shadow with { Payouts = shadow.Payouts with { Enabled = true, ShopRefunds = true } }), p => p.Contains("Mode Shadow", StringComparison.Ordinal));

        Assert.DoesNotContain(IntegrationValidator.Problems(shadow with { Shipments = shadow.Shipments with { Enabled = true } }), p => p.Contains("Mode Shadow", StringComparison.Ordinal));
        Assert.DoesNotContain(IntegrationValidator.Problems(shadow with { Stock = shadow.Stock with { Enabled = true } }), p => p.Contains("Mode Shadow", StringComparison.Ordinal));
        foreach (var direction in new[] { ProductDirection.VismaToCentra, ProductDirection.CentraToVisma })
        {
            Assert.DoesNotContain(IntegrationValidator.Problems(shadow with { Products = shadow.Products with { Direction = direction }, Sku = shadow.Sku with { Separator = "" } }),
                p => p.Contains("shadow", StringComparison.OrdinalIgnoreCase));
        }
    }
}
