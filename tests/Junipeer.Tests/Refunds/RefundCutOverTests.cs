using Junipeer.Cli.Demo;
using Junipeer.Core.Integrations;
using Junipeer.Core.Orders;
using Junipeer.Core.Payouts;
using Junipeer.Core.Refunds;
using Junipeer.Core.Sync;
using Junipeer.Sandbox;
using Junipeer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Junipeer.Tests.Refunds;

/// <summary>
/// The cut-over for Centra refunds whose time is unknown (review finding: a refund without a readable createdAt skipped
/// the check and was always booked, also on an order placed long before the cut-over that the old process may have
/// credited). The order's time is the earliest the refund can have been made: before the cut-over → not booked;
/// after → booked. Centra and Visma emulators over HTTP (GraphQL validated by the SDL), ledger on Azurite.
/// </summary>
public class RefundCutOverTests(AzuriteFixture azurite)
{
    private const string Adyen = PayoutProviders.Adyen;

    private static Task<RefundSyncResult> HandleAsync(EngineHarness h, int number) =>
        h.Services.GetRequiredService<RefundSyncHandler>().HandleAsync(
            WorkItem.ForRefunds(h.Integration.Id, number.ToString(System.Globalization.CultureInfo.InvariantCulture), WorkReasons.Replay, "c-" + number, DateTimeOffset.UtcNow),
            "test", TestContext.Current.CancellationToken);

    [Fact]
    public async Task A_refund_of_unknown_time_is_not_booked_on_an_order_placed_before_the_cut_over_and_is_booked_on_one_placed_after()
    {
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions
        {
            Integration = i => i with
            {
                Payouts = new PayoutFlowSettings
                {
                    Enabled = true,
                    ShopRefunds = true,
                    FeeWriteOffReasonCode = DemoScenario.PspFeeReasonCode,
                    Providers = new Dictionary<string, PspPayoutSettings>
                    {
                        [Adyen] = new() { PaymentMethodId = "ADYEN", CashAccount = DemoScenario.PspClearingAccount, ReferencePrefix = "NT-" },
                    },
                },
            },
        });
        var now = h.Sandbox.State.Clock.GetUtcNow();
        foreach (var (number, placed) in new[] { (8201, now.AddHours(-3)), (8202, now.AddHours(-1)) })
        {
            var spec = DemoData.SwedishOrder(number);
            spec.CreatedAt = placed;
            spec.UpdatedAt = now; // changed now: the first sweep sees it
            h.AddOrder(spec);
        }

        await h.SweepAsync();
        await h.DrainAsync();
        Assert.Equal(2, h.Invoices.Count);

        // Live from two hours ago: order 8201 was placed before, 8202 after. Both get a refund Centra gives no readable time for.
        var live = h.Integration with { Mode = IntegrationMode.Live, CutOverDate = now.AddHours(-2) };
        await h.Services.GetRequiredService<IIntegrationStore>().SaveAsync(live, TestContext.Current.CancellationToken);
        h.Sandbox.State.Centra.AddRefund(8201, "RFD-8201", 50m, createdAtText: "");
        h.Sandbox.State.Centra.AddRefund(8202, "RFD-8202", 60m, createdAtText: "");

        var before = await HandleAsync(h, 8201);
        var after = await HandleAsync(h, 8202);

        var note = Assert.Single(h.Sandbox.State.Visma.CreditNotes(h.Tenant));
        Assert.Equal(RefundKeys.Reference(Adyen, "RFD-8202"), note.Document.CustomerRefNumber);
        Assert.Equal(60m, note.Document.Amount);
        Assert.Equal(0, before.CreditNotes);
        Assert.Equal(1, after.CreditNotes);
        Assert.Null(await h.Services.GetRequiredService<ISyncLedger>().GetAsync(
            new LedgerKey(h.Integration.Id, PayoutFlows.Refunds, RefundKeys.EntityKey(Adyen, "RFD-8201")), TestContext.Current.CancellationToken));
        Assert.Empty(h.Sandbox.State.Contract.All);

        // The rule itself: the order's time is the lower bound; an unknown order time counts as before.
        var refund = new Junipeer.Core.Shop.ShopRefund("1", "R", "adyen_cc", 1m, "SEK", DateTimeOffset.MinValue);
        Assert.Contains("no refund time", RefundSyncHandler.CutOverSkip(live, refund, now.AddHours(-3)), StringComparison.Ordinal);
        Assert.Null(RefundSyncHandler.CutOverSkip(live, refund, now.AddHours(-1)));
        Assert.NotNull(RefundSyncHandler.CutOverSkip(live, refund, DateTimeOffset.MinValue));
        Assert.Null(RefundSyncHandler.CutOverSkip(live, refund with { CreatedAt = now }, now.AddHours(-3))); // a known time decides
    }
}
