using System.Text.Json;
using Junipeer.Core.Erp;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Orders;
using Junipeer.Core.Shadow;
using Junipeer.Core.Sync;
using Junipeer.Sandbox;
using Junipeer.Sandbox.Centra;
using Junipeer.Tests.Cli;
using Junipeer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Junipeer.Tests.Shadow;

/// <summary>Shadow mode ("go-live without fear") against Azurite and the Sandbox over loopback HTTP.</summary>
public class ShadowModeTests(AzuriteFixture azurite)
{
    private static CentraOrderSpec Order(int number, string? email = null, string country = "SE", string currency = "SEK", decimal rate = 25m, DateTimeOffset? placed = null)
    {
        var spec = DemoData.SwedishOrder(number);
        spec.Currency = currency;
        spec.Customer!.Email = email ?? spec.Customer.Email;
        spec.BillingAddress!.Email = spec.Customer.Email;
        spec.BillingAddress.Country = country;
        spec.Lines[0].TaxPercent = rate;
        spec.Lines[1].TaxPercent = country == "SE" ? 12m : rate;
        spec.OrderDate = placed;
        spec.CreatedAt = placed;
        return spec;
    }

    /// <summary>Requests that reached the Visma.net ERP emulator with a method other than GET (token requests are Visma Connect's, not counted).</summary>
    private static long VismaWrites(EngineHarness h) =>
        h.Sandbox.State.Stats.Calls.Where(kv => kv.Key.StartsWith("visma ", StringComparison.Ordinal) && !kv.Key.StartsWith("visma GET ", StringComparison.Ordinal)).Sum(kv => kv.Value);

    // Counted by the operation names the connectors send (the emulator's stats key is "centra POST /graphql <operation>").
    private static long CentraMutations(EngineHarness h) => ShadowFlowsTests.CentraMutations(h);

    private static Task SaveAsync(EngineHarness h, Integration integration) =>
        h.Services.GetRequiredService<IIntegrationStore>().SaveAsync(integration, TestContext.Current.CancellationToken);

    [Fact]
    public async Task Shadow_mode_records_what_each_order_would_book_and_sends_zero_writes_to_the_erp()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = await EngineHarness.StartAsync(azurite);

        // Live history first: order 1001 is invoiced, its buyer becomes a Visma customer.
        h.AddOrder(Order(1001, "returning@example.se"));
        await h.SweepAsync();
        await h.DrainAsync();
        Assert.Single(h.Invoices);
        Assert.Single(h.Customers);

        await SaveAsync(h, h.Integration with { Mode = IntegrationMode.Shadow });
        var writesBefore = VismaWrites(h);
        var mutationsBefore = CentraMutations(h);
        var known = h.AddOrder(Order(1002, "returning@example.se"));
        var domestic = h.AddOrder(Order(1003, "new@example.se"));
        var oss = h.AddOrder(Order(1004, "kunde@example.de", "DE", "EUR", 19m));
        h.AddOrder(Order(1005, "cliente@example.it", "IT", "EUR", 22m));
        var pending = Order(1006);
        pending.Status = "PENDING";
        h.AddOrder(pending);

        await h.SweepAsync();
        await h.DrainAsync();
        var already = await h.HandleAsync(1001); // an order the ERP holds already
        Assert.Equal(SyncOutcome.Skipped, already.Outcome);

        // Zero writes reached the Visma emulator (and no Centra mutation): counted at the emulator.
        Assert.Equal(0, VismaWrites(h) - writesBefore);
        Assert.Equal(0, CentraMutations(h) - mutationsBefore);
        Assert.Single(h.Invoices);
        Assert.Single(h.Customers);
        Assert.True(h.Sandbox.State.Stats.CountPrefix("visma GET /v1/vat") > 0, "VAT categories are read from the live ERP");
        foreach (var n in new[] { 1002, 1003, 1004, 1005, 1006 })
            Assert.Null(await h.LedgerAsync(n)); // no ledger row: the live run later starts clean

        var records = (await h.Services.GetRequiredService<ShadowService>().QueryAsync(h.Integration.Id, Flows.Orders, null, ct)).ToDictionary(r => r.EntityKey);
        Assert.Equal(["1001", "1002", "1003", "1004", "1005", "1006"], records.Keys.Order(StringComparer.Ordinal));

        var r1002 = records["1002"];
        Assert.Equal(ShadowOutcome.WouldBook, r1002.Outcome);
        Assert.Equal(ShadowCustomerAction.Found, r1002.CustomerAction);
        Assert.Equal(h.Customers[0].Number, r1002.CustomerNumber);
        Assert.Equal(known.GrandTotal, r1002.GrossTotal);
        Assert.Equal(known.TotalVat, r1002.VatTotal);

        var r1003 = records["1003"];
        Assert.Equal(ShadowOutcome.WouldBook, r1003.Outcome);
        Assert.Equal(ShadowOrderSync.InvoiceDocument, r1003.DocumentType);
        Assert.Equal("CENTRA-1003", r1003.Reference);
        Assert.Equal("Domestic", r1003.VatCase);
        Assert.Equal("SE", r1003.TaxZoneId);
        Assert.Equal(["SE12", "SE25"], r1003.VatCategories);
        Assert.Equal(ShadowCustomerAction.Create, r1003.CustomerAction);
        Assert.Equal("DOMESTIC", r1003.CustomerClassId);
        Assert.Equal(domestic.GrandTotal, r1003.GrossTotal);
        Assert.Equal(r1003.NetTotal, r1003.Lines.Sum(l => l.Amount));
        Assert.Contains(r1003.Lines, l => l.ArticleNumber == h.Integration.Orders.ShippingArticle);

        var r1004 = records["1004"];
        Assert.Equal(ShadowOutcome.WouldBook, r1004.Outcome);
        Assert.Equal("EuB2CDestination", r1004.VatCase);
        Assert.Equal("DE", r1004.TaxZoneId);
        Assert.Equal("EUB2C", r1004.CustomerClassId);
        Assert.Equal(oss.GrandTotal, r1004.GrossTotal);
        Assert.Equal("EUR", r1004.Currency);

        var r1005 = records["1005"];
        Assert.Equal(ShadowOutcome.Failed, r1005.Outcome);
        Assert.Equal(ErrorCodes.OssCountryTaxMappingMissing, r1005.ErrorCode);
        Assert.Equal(ErrorCodes.Get(ErrorCodes.OssCountryTaxMappingMissing).Fix, r1005.Fix);

        Assert.Equal(ShadowOutcome.Skipped, records["1006"].Outcome);
        Assert.Contains("PENDING", records["1006"].SkipReason, StringComparison.Ordinal);
        Assert.Equal(ShadowOutcome.AlreadyBooked, records["1001"].Outcome);
        Assert.Equal(h.Invoices[0].ReferenceNumber, records["1001"].ExistingDocument);

        var report = await h.Services.GetRequiredService<ShadowService>().ReportAsync(h.Integration.Id, ct);
        Assert.Equal((3, 1, 1, 1), (report.WouldBook, report.AlreadyBooked, report.Skipped, report.Failed));
        var domesticTotals = Assert.Single(report.Totals, t => t.VatCase == "Domestic");
        Assert.Equal((2, 1, known.GrandTotal + domestic.GrandTotal), (domesticTotals.Documents, domesticTotals.NewCustomers, domesticTotals.Gross));
        var failure = Assert.Single(report.FailuresByCode);
        Assert.Equal((ErrorCodes.OssCountryTaxMappingMissing, 1, "1005"), (failure.Code, failure.Count, failure.Entities[0]));

        // The CLI shows the same report; failures to fix first make it exit 1.
        var env = new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString, ["Junipeer__Storage__Prefix"] = h.Prefix };
        var dir = Directory.CreateTempSubdirectory("junipeer-shadow-").FullName;
        await using (var json = CliProcess.Shell($"{CliProcess.CliCommand} shadow report --integration {h.Integration.Id} --json", dir, env))
        {
            Assert.Equal(1, await json.WaitAsync(TimeSpan.FromSeconds(60)));
            using var doc = JsonDocument.Parse(json.StdOut);
            var root = doc.RootElement;
            Assert.Equal("Shadow", root.GetProperty("mode").GetString());
            Assert.Equal(3, root.GetProperty("counts").GetProperty("wouldBook").GetInt32());
            Assert.Equal(1, root.GetProperty("counts").GetProperty("failed").GetInt32());
            Assert.Contains(root.GetProperty("totals").EnumerateArray(), t => t.GetProperty("vatCase").GetString() == "EuB2CDestination" && t.GetProperty("gross").GetDecimal() == oss.GrandTotal);
            Assert.Equal(ErrorCodes.OssCountryTaxMappingMissing, root.GetProperty("failures")[0].GetProperty("code").GetString());
            Assert.Equal(6, root.GetProperty("records").GetArrayLength());
        }

        await using (var human = CliProcess.Shell($"{CliProcess.CliCommand} shadow report --integration {h.Integration.Id}", dir, env))
        {
            Assert.Equal(1, await human.WaitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("Fix before going live:", human.StdOut, StringComparison.Ordinal);
            Assert.Contains("OSS_COUNTRY_TAX_MAPPING_MISSING (1: 1005)", human.StdOut, StringComparison.Ordinal);
            Assert.Contains("EuB2CDestination EUR: 1 document(s), 1 new customer(s)", human.StdOut, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_read_only_erp_refuses_every_write_before_anything_is_sent()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = await EngineHarness.StartAsync(azurite);
        var erp = new ReadOnlyErp(h.Services.GetRequiredService<IErpResolver>().For(h.Integration));
        var i = h.Integration;
        var customer = new ErpCustomerDraft { Name = "X", CountryId = "SE", CurrencyId = "SEK", CustomerClassId = "DOMESTIC", VatZoneId = "SE", LookupKey = "JP0" };
        var invoice = new ErpInvoiceDraft
        {
            CustomerNumber = "1", DocumentDate = new DateOnly(2026, 1, 1), CurrencyId = "SEK", Reference = "CENTRA-1", InvoiceText = "x", VatZoneId = "SE",
            Lines = [], ExpectedNetTotal = 0, ExpectedVatTotal = 0,
        };
        var payment = new ErpPaymentDraft
        {
            CustomerNumber = "1", Date = new DateOnly(2026, 1, 1), CurrencyId = "SEK", Reference = "GC-1", PaymentMethodId = "GIFTCARD", CashAccount = "2420", Amount = 1, InvoiceNumber = "1",
        };
        Func<Task>[] writes =
        [
            () => erp.Customers.CreateCustomerAsync(i, customer, ct),
            () => erp.Customers.UpdateCustomerAsync(i, "1", customer, null, ct),
            () => erp.Invoices.CreateInvoiceAsync(i, invoice, ct),
            () => erp.Invoices.ReleaseInvoiceAsync(i, "1", ct),
            () => erp.Payments.CreatePaymentAsync(i, payment, ct),
            () => erp.Payments.ReleasePaymentAsync(i, "1", ct),
        ];
        foreach (var write in writes)
        {
            var ex = await Assert.ThrowsAsync<JunipeerException>(write);
            Assert.Equal(ErrorCodes.ShadowWriteBlocked, ex.Code);
        }

        var settle = erp.Settlements!;
        var creditNote = new ErpCreditNoteDraft { CustomerNumber = "1", DocumentDate = new DateOnly(2026, 1, 1), CurrencyId = "SEK", Reference = "RF1", VatZoneId = "SE", Text = "x", Lines = [] };
        var settlement = new ErpSettlementPaymentDraft { CustomerNumber = "1", Date = new DateOnly(2026, 1, 1), CurrencyId = "SEK", Reference = "PO1", PaymentMethodId = "STRIPE", CashAccount = "1", Lines = [] };
        Func<Task>[] settlementWrites =
        [
            () => settle.CreateSettlementPaymentAsync(i, settlement, ct),
            () => settle.CreateCreditNoteAsync(i, creditNote, ct),
            () => settle.ReleaseCreditNoteAsync(i, "1", ct),
            () => erp.CustomerSync!.UpdateCustomerFieldsAsync(i, "1", new ErpCustomerChange { Name = "Y" }, "v1", ct),
        ];
        foreach (var write in settlementWrites)
            Assert.Equal(ErrorCodes.ShadowWriteBlocked, (await Assert.ThrowsAsync<JunipeerException>(write)).Code);
        Assert.Empty(await settle.FindCreditNotesAsync(i, "RF1", ct)); // settlement reads pass through
        Assert.Empty(await erp.Invoices.FindInvoicesByReferenceAsync(i, "CENTRA-1", ct)); // reads pass through
        Assert.Equal(0, VismaWrites(h));
        Assert.True(h.VismaCalls > 0);
    }

    [Fact]
    public async Task Going_live_needs_a_cut_over_date_and_books_only_orders_placed_from_it()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions
        {
            Integration = i => i with { Mode = IntegrationMode.Shadow },
        });
        var now = h.Sandbox.State.Clock.GetUtcNow();
        h.AddOrder(Order(2001, placed: now.AddHours(-6)));
        h.AddOrder(Order(2002, placed: now.AddHours(-1)));
        await h.SweepAsync();
        await h.DrainAsync();
        Assert.Empty(h.Invoices);
        Assert.Equal(2, (await h.Services.GetRequiredService<ShadowService>().QueryAsync(h.Integration.Id, null, ShadowOutcome.WouldBook, ct)).Count);

        // Live without a cut-over date is refused: every shadowed order would be booked at once.
        var refused = await Assert.ThrowsAsync<JunipeerException>(() => SaveAsync(h, h.Integration with { Mode = IntegrationMode.Live }));
        Assert.Equal(ErrorCodes.ShadowCutOverRequired, refused.Code);
        Assert.Empty(h.Invoices);

        var cutOver = now.AddHours(-3);
        await SaveAsync(h, h.Integration with { Mode = IntegrationMode.Live, CutOverDate = cutOver });
        h.AddOrder(Order(2003, placed: now.AddMinutes(-5)));
        await h.SweepAsync();
        await h.DrainAsync();
        await h.HandleAsync(2001); // placed before the cut-over: even asked directly, not booked

        var before = await h.LedgerAsync(2001);
        Assert.Equal(LedgerStatus.Skipped, before!.Status);
        Assert.Contains("cut-over", before.Facts[OrderFacts.SkipReason], StringComparison.Ordinal);
        Assert.Equal(LedgerStatus.Done, (await h.LedgerAsync(2002))!.Status);
        Assert.Equal(LedgerStatus.Done, (await h.LedgerAsync(2003))!.Status);
        Assert.Equal(["CENTRA-2002", "CENTRA-2003"], h.Invoices.Select(x => x.CustomerRefNumber).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Shadow_mode_is_valid_with_shipments_on_and_an_unknown_mode_is_refused()
    {
        var i = JsonSerializer.Deserialize<Integration>(File.ReadAllText(Path.Combine(Junipeer.Cli.Azurite.AzuriteRunner.RepositoryRoot(), "docs", "examples", "integration.json")), Junipeer.Core.JunipeerJson.Options)!;
        Assert.Empty(IntegrationValidator.Problems(i with { Mode = IntegrationMode.Shadow }));
        // Every flow has a read-only path now (shipments: ShadowShipmentTests, products: ShadowProductTests).
        var withShipments = i with { Mode = IntegrationMode.Shadow, Shipments = i.Shipments with { Enabled = true } };
        Assert.Equal(IntegrationValidator.Problems(withShipments with { Mode = IntegrationMode.Live }), IntegrationValidator.Problems(withShipments));
        Assert.Empty(IntegrationValidator.Problems(i with { Mode = IntegrationMode.Shadow, Customers = new CustomerFlowSettings { Enabled = true } }));
        var ex = Assert.Throws<JunipeerException>(() => IntegrationValidator.EnsureValid(i with { Mode = (IntegrationMode)9 }));
        Assert.Equal(ErrorCodes.IntegrationSettingsInvalid, ex.Code);
        Assert.Contains("must be Live or Shadow", ex.Message, StringComparison.Ordinal);
    }
}
