using System.Text;
using Junipeer.Cli.Demo;
using Junipeer.Core.Integrations;
using Junipeer.Core.Payouts;
using Junipeer.Core.Shadow;
using Junipeer.Functions.Payouts;
using Junipeer.Sandbox.Adyen;
using Junipeer.Sandbox.Klarna;
using Junipeer.Tests.Infrastructure;
using Junipeer.Tests.Payouts;
using Junipeer.Tests.Payouts.Adyen;
using Junipeer.Tests.Payouts.Klarna;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace Junipeer.Tests.Shadow;

/// <summary>
/// Adyen and Klarna payouts in shadow mode (Stripe's is in <see cref="ShadowFlowsTests"/>), against Azurite and the PSP
/// and Visma emulators over loopback HTTP: the payout is recorded with one payment per customer, the invoices it applies
/// and the fees written off with the reason code; Visma receives only GETs and no payment, no ledger row is written.
/// </summary>
public class ShadowPspPayoutTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task ShadowAsync(EngineHarness h, Integration integration) =>
        h.Services.GetRequiredService<IIntegrationStore>().SaveAsync(integration with { Mode = IntegrationMode.Shadow }, Ct);

    private static async Task<ShadowRecord> PayoutRecordAsync(EngineHarness h, string key) =>
        Assert.Single(await h.Services.GetRequiredService<ShadowService>().QueryAsync(h.Integration.Id, PayoutFlows.Payouts, null, Ct), r => r.EntityKey == key);

    [Fact]
    public async Task Adyen_settlement_batch_in_shadow_records_payments_with_matched_invoices_and_fees_and_writes_nothing_to_Visma()
    {
        var k = await AdyenKit.StartAsync(azurite);
        await using var _ = k.H;
        var h = k.H;
        var inv = await h.InvoicesAsync((7451, "anna@example.se"), (7452, "anna@example.se"), (7453, "bo@example.se"));
        await ShadowAsync(h, k.Integration);
        var writes = ShadowFlowsTests.VismaWrites(h);
        var batch = k.Adyen.SeedBatch(new AdyenBatchSpec
        {
            MerchantAccount = AdyenKit.Merchant,
            Sales = [new("NT-7451", inv[7451].Amount, 12.50m), new("NT-7452", inv[7452].Amount, 7.25m), new("NT-7453", inv[7453].Amount, 3.10m)],
            Fees = [4.00m],
        });

        // REPORT_AVAILABLE through the webhook function, then the payouts queue.
        var body = k.Adyen.ReportAvailableJson(AdyenKit.Merchant, batch.BatchNumber, "https://ca-test.adyen.com/reports/download/MerchantAccount/NordTrailSE/" + batch.FileName);
        var ctx = new DefaultHttpContext { RequestServices = h.Services };
        ctx.Request.Method = "POST";
        ctx.Request.ContentType = "application/json";
        ctx.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
        var answer = await h.Function<AdyenWebhookFunction>().Run(ctx.Request, k.Integration.Id, Ct);
        Assert.Equal("[accepted]", Assert.IsType<ContentResult>(answer).Content);
        await h.DrainPayoutsAsync(rounds: 20);

        Assert.Equal(0, ShadowFlowsTests.VismaWrites(h) - writes);
        Assert.Equal(0, k.PaymentPosts);
        Assert.Empty(h.Payments);
        Assert.All(h.Invoices, i => Assert.NotEqual(0m, i.Balance));
        Assert.Single(k.Adyen.Downloads); // the report was read
        var key = Payout.PayoutKey(PayoutProviders.Adyen, $"{AdyenKit.Merchant}:{batch.BatchNumber}");
        Assert.Null(await h.Services.GetRequiredService<Junipeer.Core.Sync.ISyncLedger>().GetAsync(new Junipeer.Core.Sync.LedgerKey(h.Integration.Id, PayoutFlows.Payouts, key), Ct));

        var record = await PayoutRecordAsync(h, key);
        Assert.Equal((ShadowOutcome.WouldBook, 2), (record.Outcome, record.Payments.Count));
        var anna = Assert.Single(record.Payments, p => p.CustomerNumber == inv[7451].CustomerNumber);
        Assert.Equal(inv[7451].Amount - 12.50m + inv[7452].Amount - 7.25m, anna.Amount);
        Assert.Equal((19.75m, DemoScenario.PspFeeReasonCode), (anna.WriteOff, anna.WriteOffReasonCode));
        Assert.Equal(new[] { (inv[7451].ReferenceNumber, inv[7451].Amount - 12.50m, 12.50m), (inv[7452].ReferenceNumber, inv[7452].Amount - 7.25m, 7.25m) }.OrderBy(l => l.Item1, StringComparer.Ordinal),
            anna.Lines.Select(l => (l.InvoiceNumber, l.AmountPaid, l.WriteOff)).OrderBy(l => l.InvoiceNumber, StringComparer.Ordinal));
        var bo = Assert.Single(record.Payments, p => p.CustomerNumber == inv[7453].CustomerNumber);
        Assert.Equal((inv[7453].Amount - 3.10m, 3.10m), (bo.Amount, bo.WriteOff));
        Assert.Equal(inv[7453].ReferenceNumber, Assert.Single(bo.Lines).InvoiceNumber);
        Assert.Empty(record.Unmatched);
        Assert.Contains(record.Notes, n => n.Contains("fee/other", StringComparison.Ordinal) && n.Contains("4.00", StringComparison.Ordinal)); // the batch fee

        var flow = Assert.Single((await h.Services.GetRequiredService<ShadowService>().ReportAsync(h.Integration.Id, Ct)).Flows, f => f.Flow == PayoutFlows.Payouts);
        Assert.Equal((1, 2, 22.85m), (flow.WouldBook, flow.Payments, flow.WriteOff));
        Assert.Equal(0, h.Sandbox.State.Contract.Count);
    }

    [Fact]
    public async Task Klarna_payout_in_shadow_records_payments_with_matched_invoices_and_fees_and_writes_nothing_to_Visma()
    {
        await using var k = await KlarnaKit.StartAsync(azurite);
        var h = k.H;
        var inv = await k.InvoicesAsync((7461, "karin@example.se"), (7462, "karin@example.se"), (7463, "lars@example.se"));
        await ShadowAsync(h, k.Integration);
        var writes = ShadowFlowsTests.VismaWrites(h);
        long M(decimal d) => KlarnaKit.Minor(d);
        var id = await k.SeedAsync(
            new KlarnaTransactionSeed { Type = "SALE", Amount = M(inv[7461].Amount), Reference = "NT-7461" },
            new KlarnaTransactionSeed { Type = "FEE", Amount = 1450, Reference = "NT-7461" },
            new KlarnaTransactionSeed { Type = "SALE", Amount = M(inv[7462].Amount), Reference = "NT-7462" },
            new KlarnaTransactionSeed { Type = "FEE", Amount = 890, Reference = "NT-7462" },
            new KlarnaTransactionSeed { Type = "SALE", Amount = M(inv[7463].Amount), Reference = "NT-7463" },
            new KlarnaTransactionSeed { Type = "FEE", Amount = 600, Reference = "NT-7463" });

        // Klarna has no payout notification: the timer finds it (shadow keeps its own checkpoint), the queue runs it.
        await k.SweepAsync();
        await k.DrainAsync();

        Assert.Equal(0, ShadowFlowsTests.VismaWrites(h) - writes);
        Assert.Equal(0, h.Sandbox.State.Stats.Count("visma POST /v1/customerPayment"));
        Assert.Empty(h.Payments);
        Assert.Null(await k.PayoutRowAsync(id));

        var record = await PayoutRecordAsync(h, Payout.PayoutKey(PayoutProviders.Klarna, id));
        Assert.Equal((ShadowOutcome.WouldBook, 2), (record.Outcome, record.Payments.Count));
        var karin = Assert.Single(record.Payments, p => p.CustomerNumber == inv[7461].CustomerNumber);
        Assert.Equal(inv[7461].Amount - 14.50m + inv[7462].Amount - 8.90m, karin.Amount);
        Assert.Equal((23.40m, DemoScenario.PspFeeReasonCode), (karin.WriteOff, karin.WriteOffReasonCode));
        Assert.Equal(new[] { (inv[7461].ReferenceNumber, 14.50m), (inv[7462].ReferenceNumber, 8.90m) }.OrderBy(l => l.Item1, StringComparer.Ordinal),
            karin.Lines.Select(l => (l.InvoiceNumber, l.WriteOff)).OrderBy(l => l.InvoiceNumber, StringComparer.Ordinal));
        var lars = Assert.Single(record.Payments, p => p.CustomerNumber == inv[7463].CustomerNumber);
        Assert.Equal((inv[7463].Amount - 6.00m, 6.00m, inv[7463].ReferenceNumber), (lars.Amount, lars.WriteOff, Assert.Single(lars.Lines).InvoiceNumber));
        Assert.Empty(record.Unmatched);
        Assert.Empty(record.CreditNotes);

        var flow = Assert.Single((await h.Services.GetRequiredService<ShadowService>().ReportAsync(h.Integration.Id, Ct)).Flows, f => f.Flow == PayoutFlows.Payouts);
        Assert.Equal((1, 2, 29.40m), (flow.WouldBook, flow.Payments, flow.WriteOff));
        Assert.Equal(0, h.Sandbox.State.Contract.Count);
    }
}
