using Junipeer.Cli.Demo;
using Junipeer.Core.Orders;
using Junipeer.Core.Payouts;
using Junipeer.Core.Sync;
using Junipeer.Sandbox;
using Junipeer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Junipeer.Tests.Payouts;

/// <summary>ERP calls per payout grow with its customers, not its transactions (the Visma grouping constraint).</summary>
public class PayoutScaleTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_thousand_transactions_of_ten_customers_cost_forty_ERP_calls()
    {
        var psp = new RecordedPayoutSource(PayoutProviders.Stripe);
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions
        {
            Integration = i => i with
            {
                Payouts = new PayoutFlowSettings
                {
                    Enabled = true,
                    FeeWriteOffReasonCode = DemoScenario.PspFeeReasonCode,
                    Providers = new Dictionary<string, PspPayoutSettings>
                    {
                        [PayoutProviders.Stripe] = new() { PaymentMethodId = "STRIPE", CashAccount = DemoScenario.PspClearingAccount },
                    },
                },
            },
            Services = s => s.AddSingleton<IPayoutSource>(psp),
        });
        for (var n = 8001; n <= 8010; n++)
        {
            var spec = DemoData.SwedishOrder(n);
            spec.Customer!.Email = $"scale{n}@example.se";
            spec.BillingAddress!.Email = spec.Customer.Email;
            h.AddOrder(spec);
        }

        await h.SweepAsync();
        await h.DrainAsync();
        Assert.Equal(10, h.Customers.Count);

        // Each invoice settled by 100 partial captures (1,000 transactions), each with a 0.10 fee.
        var lines = new List<PayoutLine>();
        foreach (var invoice in h.Invoices)
        {
            var order = invoice.CustomerRefNumber!["CENTRA-".Length..];
            var part = invoice.Amount / 100m;
            Assert.Equal(Math.Round(part, 2), part);
            for (var k = 0; k < 100; k++)
                lines.Add(new PayoutLine { TransactionId = $"txn_{order}_{k}", Kind = PayoutLineKind.Sale, Reference = order, Gross = part, Fee = 0.10m, Currency = "SEK" });
        }

        var payout = new Payout
        {
            Provider = PayoutProviders.Stripe,
            PayoutId = "po_scale",
            Currency = "SEK",
            Total = lines.Sum(l => l.Net),
            Date = DateOnly.FromDateTime(h.Sandbox.State.Clock.GetUtcNow().UtcDateTime).AddDays(1),
            CreatedAt = DateTimeOffset.UtcNow,
            Lines = lines,
        };
        psp.Add(payout);

        var before = h.VismaCalls;
        var result = await h.Services.GetRequiredService<PayoutSyncHandler>().HandleAsync(
            WorkItem.ForPayout(h.Integration.Id, PayoutProviders.Stripe, "po_scale", WorkReasons.Replay, "scale", DateTimeOffset.UtcNow), "scale", TestContext.Current.CancellationToken);

        Assert.Equal(SyncOutcome.Done, result.Outcome);
        Assert.Equal(1000, lines.Count);
        Assert.Equal(40, h.VismaCalls - before); // 10 customers x (payment lookup, open invoices, create, release); one call per transaction would be 1,000+
        Assert.Equal(10, h.Payments.Count);
        Assert.All(h.Payments, p => Assert.Equal(10m, p.Lines.Single().BalanceWriteOff));
        Assert.All(h.Invoices, i => Assert.Equal(0m, i.Balance));
    }
}
