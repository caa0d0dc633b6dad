using Junipeer.Connectors.Http;
using Junipeer.Connectors.Payments;
using Junipeer.Connectors.Payments.Stripe;
using Junipeer.Core.Errors;
using Junipeer.Core.Payouts;
using Junipeer.Sandbox.Stripe;
using Junipeer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Junipeer.Tests.Payouts;

/// <summary>The Stripe connector against the strict Stripe emulator over HTTP: parsing, paging, minor units, codes.</summary>
public class StripePayoutSourceTests(AzuriteFixture azurite)
{
    private static StripePayoutSource Source(StripeKit k) => k.H.Services.GetServices<IPayoutSource>().OfType<StripePayoutSource>().Single();

    [Fact]
    public async Task A_realistic_payout_parses_to_typed_lines_whose_totals_match_the_hand_count()
    {
        await using var k = await StripeKit.StartAsync(azurite);
        // Hand count (SEK, minor units): nets 126627 + 53502 − 25000 − 56400 − 2500 + 9725 = 105954 → 1,059.54;
        // fees 3273 + 1398 + 0 + 1500 + 0 + 275 = 6446 → 64.46.
        var id = await k.SeedAsync(
            new StripeTransactionSeed { Type = "charge", Amount = 129900, Fee = 3273, OrderReference = "NT-7001" },
            new StripeTransactionSeed { Type = "charge", Amount = 54900, Fee = 1398, OrderReference = "NT-7002" },
            new StripeTransactionSeed { Type = "refund", Amount = -25000, OrderReference = "NT-7001" },
            new StripeTransactionSeed { Type = "adjustment", Amount = -54900, Fee = 1500, OrderReference = "NT-7002" },
            new StripeTransactionSeed { Type = "stripe_fee", Amount = -2500, Description = "Radar fees" },
            new StripeTransactionSeed { Type = "charge", Amount = 10000, Fee = 275 });

        var payout = await Source(k).GetPayoutAsync(k.Integration, id, TestContext.Current.CancellationToken);

        Assert.NotNull(payout);
        Assert.Equal("SEK", payout.Currency);
        Assert.Equal(1059.54m, payout.Total);
        Assert.Equal(payout.Total, payout.Lines.Sum(l => l.Net));
        Assert.Equal(64.46m, payout.Lines.Sum(l => l.Fee));
        Assert.Equal(DateOnly.FromDateTime(k.H.Sandbox.State.Clock.GetUtcNow().AddDays(2).UtcDateTime), payout.Date);
        Assert.Equal(
            [PayoutLineKind.Sale, PayoutLineKind.Sale, PayoutLineKind.Refund, PayoutLineKind.Chargeback, PayoutLineKind.Fee, PayoutLineKind.Sale],
            payout.Lines.Select(l => l.Kind));
        Assert.Equal(["NT-7001", "NT-7002", "NT-7001", "NT-7002", null, null], payout.Lines.Select(l => l.Reference));
        Assert.Equal(1299.00m, payout.Lines[0].Gross);
        Assert.Equal(32.73m, payout.Lines[0].Fee);
        Assert.Equal(-250.00m, payout.Lines[2].Gross);
        Assert.Equal(-564.00m, payout.Lines[3].Net);
        Assert.All(payout.Lines, l => Assert.StartsWith("txn_", l.TransactionId, StringComparison.Ordinal));
        // A refund is keyed by Stripe's refund id (re_…, what the shop records), shared with refunds seen in Centra.
        Assert.StartsWith("re_", payout.Lines[2].RefundId, StringComparison.Ordinal);
        Assert.Equal(payout.Lines[2].RefundId, payout.Lines[2].RefundKeyId);
        Assert.All(payout.Lines.Where(l => l.Kind != PayoutLineKind.Refund), l => Assert.Null(l.RefundId));
        // The refund and the dispute carry no order reference themselves: their charge was read (one each, cached per charge).
        Assert.Equal(2, k.H.Sandbox.State.Stats.Count("stripe GET /v1/charges/{charge}"));
        Assert.Equal(0, k.H.Sandbox.State.Contract.Count);
    }

    [Fact]
    public async Task Transactions_are_read_page_by_page_until_has_more_is_false()
    {
        await using var k = await StripeKit.StartAsync(azurite);
        // 250 charges of 1.00 SEK with 0.10 fee: 3 pages of ≤100; net 250 × 0.90 = 225.00.
        var id = await k.SeedAsync([.. Enumerable.Range(1, 250).Select(i => new StripeTransactionSeed { Type = "charge", Amount = 100, Fee = 10, OrderReference = $"NT-{i}" })]);

        var payout = await Source(k).GetPayoutAsync(k.Integration, id, TestContext.Current.CancellationToken);

        Assert.Equal(250, payout!.Lines.Count);
        Assert.Equal(250, payout.Lines.Select(l => l.TransactionId).Distinct().Count());
        Assert.Equal(225.00m, payout.Total);
        Assert.Equal(225.00m, payout.Lines.Sum(l => l.Net));
        // 251 transactions with the payout's own: pages of 100, 100, 51.
        Assert.Equal(3, k.H.Sandbox.State.Stats.Count("stripe GET /v1/balance_transactions"));
        Assert.Equal(0, k.H.Sandbox.State.Contract.Count);
    }

    [Fact]
    public async Task Only_paid_reconciled_payouts_are_returned_and_listed()
    {
        await using var k = await StripeKit.StartAsync(azurite);
        var now = k.H.Sandbox.State.Clock.GetUtcNow();
        var paid = await k.SeedAsync(new StripeTransactionSeed { Type = "charge", Amount = 1000, Fee = 30, OrderReference = "NT-1" });
        var inTransit = await k.SeedAsync(new StripePayoutSeed { Status = "in_transit", Transactions = [new() { Amount = 500 }] });
        var reconciling = await k.SeedAsync(new StripePayoutSeed { ReconciliationStatus = "in_progress", Transactions = [new() { Amount = 500 }] });
        var old = await k.SeedAsync(new StripePayoutSeed { Created = now.AddDays(-30), Transactions = [new() { Amount = 500 }] });
        var source = Source(k);

        Assert.Null(await source.GetPayoutAsync(k.Integration, inTransit, TestContext.Current.CancellationToken));
        Assert.Null(await source.GetPayoutAsync(k.Integration, reconciling, TestContext.Current.CancellationToken));
        Assert.Null(await source.GetPayoutAsync(k.Integration, "po_unknown", TestContext.Current.CancellationToken));
        Assert.Equal([paid], await source.ListPayoutIdsAsync(k.Integration, now.AddDays(-7), TestContext.Current.CancellationToken));
        var listed = await source.ListPayoutIdsAsync(k.Integration, now.AddDays(-31), TestContext.Current.CancellationToken);
        Assert.Equal(new[] { paid, old }.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
        Assert.Equal(0, k.H.Sandbox.State.Contract.Count);
    }

    [Fact]
    public async Task Failures_map_to_the_PSP_codes()
    {
        await using var k = await StripeKit.StartAsync(azurite, apiKey: "sk_test_wrong");
        var source = Source(k);
        var ct = TestContext.Current.CancellationToken;
        var auth = await Assert.ThrowsAsync<ConnectorException>(() => source.GetPayoutAsync(k.Integration, "po_x", ct));
        Assert.Equal(ErrorCodes.PspAuthFailed, auth.Code);
        Assert.DoesNotContain("sk_test_wrong", auth.Message, StringComparison.Ordinal);

        await using var ok = await StripeKit.StartAsync(azurite);
        var s2 = Source(ok);
        var id = await ok.SeedAsync(new StripeTransactionSeed { Amount = 1000, OrderReference = "NT-1" });
        ok.Stripe.RateLimited = 100;
        var limited = await Assert.ThrowsAsync<ConnectorException>(() => s2.GetPayoutAsync(ok.Integration, id, ct));
        Assert.Equal(ErrorCodes.PspRateLimited, limited.Code);
        ok.Stripe.RateLimited = 0;

        ok.Stripe.Fail5xx = 100;
        var down = await Assert.ThrowsAsync<ConnectorException>(() => s2.GetPayoutAsync(ok.Integration, id, ct));
        Assert.Equal(ErrorCodes.PspUnavailable, down.Code);
        ok.Stripe.Fail5xx = 0;

        // A payout id longer than the published maxLength (5000): the strict emulator answers 400 as Stripe does.
        var rejected = await Assert.ThrowsAsync<ConnectorException>(() => s2.GetPayoutAsync(ok.Integration, "po_" + new string('x', 5000), ct));
        Assert.Equal(ErrorCodes.PspRequestRejected, rejected.Code);
        Assert.Equal(FailureKind.Rejected, rejected.Kind);
        Assert.Single(ok.H.Sandbox.State.Contract.All);

        // Recovered: one transient 500 is retried in process.
        ok.Stripe.Fail5xx = 1;
        Assert.NotNull(await s2.GetPayoutAsync(ok.Integration, id, ct));
    }

    [Fact]
    public void Minor_units_follow_the_currency_exponent()
    {
        Assert.Equal(1059.54m, MinorUnits.ToMajor(105954, "sek"));
        Assert.Equal(105954m, MinorUnits.ToMajor(105954, "JPY"));
        Assert.Equal(105.954m, MinorUnits.ToMajor(105954, "KWD"));
        Assert.Equal(105954, MinorUnits.ToMinor(1059.54m, "EUR"));
    }

    [Fact]
    public void The_emulator_rejects_off_contract_requests()
    {
        var c = StripeContract.Instance;
        Assert.Empty(c.Validate("GET", "/v1/balance_transactions", [new("payout", "po_1"), new("limit", "100"), new("expand[]", "data.source"), new("starting_after", "txn_1")]));
        Assert.Empty(c.Validate("GET", "/v1/payouts", [new("status", "paid"), new("created[gte]", "1700000000"), new("limit", "100")]));
        Assert.Contains("unknown parameter", c.Validate("GET", "/v1/balance_transactions", [new("payout_id", "po_1")]).Single().Message, StringComparison.Ordinal);
        Assert.Contains("between 1 and 100", c.Validate("GET", "/v1/balance_transactions", [new("limit", "500")]).Single().Message, StringComparison.Ordinal);
        Assert.Single(c.Validate("GET", "/v1/payouts", [new("created[since]", "1")]));
        Assert.Single(c.Validate("GET", "/v1/payouts", [new("created", "yesterday")]));
        Assert.Single(c.Validate("POST", "/v1/payouts", []));
        Assert.Single(c.Validate("GET", "/v1/transfers", []));
    }
}
