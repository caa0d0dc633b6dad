using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Junipeer.Connectors.Http;
using Junipeer.Connectors.Payments.Klarna;
using Junipeer.Core.Errors;
using Junipeer.Core.Payouts;
using Junipeer.Sandbox.Klarna;
using Junipeer.Tests.Infrastructure;

namespace Junipeer.Tests.Payouts.Klarna;

/// <summary>The Klarna connector against the strict Klarna Settlements emulator over HTTP: parsing, signs, fees, paging, minor units, codes, contract.</summary>
public class KlarnaPayoutSourceTests(AzuriteFixture azurite)
{
    private static readonly HttpClient Http = new();

    /// <summary>
    /// A realistic payout, counted by hand (SEK, minor units):
    /// sales 129900 + 54900 = 184800; return 25000; reversal 10000; fees 3273 + 1398 + 2500 = 7171;
    /// VAT on fees (TAX) 818; repay 1000 → settlement 184800 − 25000 − 10000 − 7171 − 818 − 1000 = 140811 = 1,408.11.
    /// Fees tied to a sale by capture id: NT-7001 32.73 + 8.18 = 40.91, NT-7002 13.98; the monthly fee 25.00 is a fee line.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_realistic_payout_parses_to_signed_lines_whose_totals_match_the_hand_count(bool signedAmounts)
    {
        await using var k = await KlarnaKit.StartAsync(azurite);
        var date = new DateTimeOffset(2026, 11, 30, 6, 0, 0, TimeSpan.Zero);
        var id = await k.SeedAsync(new KlarnaPayoutSeed
        {
            PayoutDate = date,
            SignedAmounts = signedAmounts,
            RepayAmount = 1000,
            Transactions =
            [
                new() { Type = "SALE", Amount = 129900, Reference = "NT-7001" },
                new() { Type = "FEE", Amount = 3273, Reference = "NT-7001" },
                new() { Type = "TAX", Amount = 818, Reference = "NT-7001", DetailedType = "PURCHASE_FEE_PERCENTAGE" },
                new() { Type = "SALE", Amount = 54900, Reference = "NT-7002" },
                new() { Type = "FEE", Amount = 1398, Reference = "NT-7002", DetailedType = "PURCHASE_FEE_FIXED", VatAmount = 350 },
                new() { Type = "RETURN", Amount = 25000, Reference = "NT-7001" },
                new() { Type = "FEE", Amount = 2500, DetailedType = "SERVICING_FEE" },
                new() { Type = "REVERSAL", Amount = 10000, Reference = "NT-7003" },
            ],
        });

        var payout = await k.Source.GetPayoutAsync(k.Integration, id, TestContext.Current.CancellationToken);

        Assert.NotNull(payout);
        Assert.Equal(id, payout.PayoutId);
        Assert.Equal("SEK", payout.Currency);
        Assert.Equal(1408.11m, payout.Total);
        Assert.Equal(payout.Total, payout.Lines.Sum(l => l.Net));
        Assert.Equal(new DateOnly(2026, 11, 30), payout.Date);
        Assert.Equal(
            [PayoutLineKind.Sale, PayoutLineKind.Sale, PayoutLineKind.Refund, PayoutLineKind.Fee, PayoutLineKind.Chargeback, PayoutLineKind.Other],
            payout.Lines.Select(l => l.Kind));
        Assert.Equal(["NT-7001", "NT-7002", "NT-7001", null, "NT-7003", null], payout.Lines.Select(l => l.Reference));
        Assert.Equal([1299.00m, 549.00m, -250.00m, -25.00m, -100.00m, -10.00m], payout.Lines.Select(l => l.Gross));
        Assert.Equal([40.91m, 13.98m, 0m, 0m, 0m, 0m], payout.Lines.Select(l => l.Fee));
        Assert.Equal(54.89m, payout.Lines.Sum(l => l.Fee));
        Assert.Equal("TOTAL:repay", payout.Lines[^1].TransactionId);
        Assert.StartsWith("SALE:", payout.Lines[0].TransactionId, StringComparison.Ordinal);
        Assert.StartsWith("RETURN:", payout.Lines[2].TransactionId, StringComparison.Ordinal);
        Assert.Equal(payout.Lines.Count, payout.Lines.Select(l => l.TransactionId).Distinct().Count());
        Assert.Equal(0, k.H.Sandbox.State.Contract.Count);
    }

    [Fact]
    public async Task Transactions_are_read_by_offset_in_pages_of_500_until_the_total()
    {
        await using var k = await KlarnaKit.StartAsync(azurite);
        // 1,203 sales of 1.00 SEK each with a 0.10 fee: pages of 500, 500, 203; settlement 1203 × 0.90 = 1,082.70.
        var id = await k.SeedAsync([.. Enumerable.Range(1, 1203).SelectMany(i => new KlarnaTransactionSeed[]
        {
            new() { Type = "SALE", Amount = 100, Reference = $"NT-{i}" },
            new() { Type = "FEE", Amount = 10, Reference = $"NT-{i}" },
        }).Take(1203)]);

        var payout = await k.Source.GetPayoutAsync(k.Integration, id, TestContext.Current.CancellationToken);

        // 1,203 transactions (602 sales, 601 fees tied to them): three pages.
        Assert.Equal(3, k.H.Sandbox.State.Stats.Count("klarna GET /transactions"));
        Assert.Equal(602, payout!.Lines.Count);
        Assert.Equal(602, payout.Lines.Select(l => l.TransactionId).Distinct().Count());
        Assert.Equal(602m - 60.10m, payout.Total);
        Assert.Equal(payout.Total, payout.Lines.Sum(l => l.Net));
        Assert.Equal(0, k.H.Sandbox.State.Contract.Count);
    }

    [Fact]
    public async Task Minor_units_follow_the_payout_currency()
    {
        await using var k = await KlarnaKit.StartAsync(azurite);
        var id = await k.SeedAsync(new KlarnaPayoutSeed
        {
            CurrencyCode = "EUR",
            Transactions = [new() { Type = "SALE", Amount = 12345, Reference = "NT-1" }, new() { Type = "FEE", Amount = 399, Reference = "NT-1" }],
        });

        var payout = await k.Source.GetPayoutAsync(k.Integration, id, TestContext.Current.CancellationToken);

        Assert.Equal("EUR", payout!.Currency);
        Assert.Equal(119.46m, payout.Total);
        Assert.Equal(123.45m, payout.Lines.Single().Gross);
        Assert.Equal(3.99m, payout.Lines.Single().Fee);
    }

    [Fact]
    public async Task The_timer_lists_payouts_by_payout_date_and_an_unknown_reference_is_not_found()
    {
        await using var k = await KlarnaKit.StartAsync(azurite);
        var now = k.H.Sandbox.State.Clock.GetUtcNow();
        var recent = await k.SeedAsync(new KlarnaPayoutSeed { PayoutDate = now.AddDays(-1), Transactions = [new() { Amount = 500, Reference = "NT-1" }] });
        var old = await k.SeedAsync(new KlarnaPayoutSeed { PayoutDate = now.AddDays(-30), Transactions = [new() { Amount = 500, Reference = "NT-2" }] });
        var ct = TestContext.Current.CancellationToken;

        Assert.Equal([recent], await k.Source.ListPayoutIdsAsync(k.Integration, now.AddDays(-7), ct));
        Assert.Equal(new[] { recent, old }.Order(StringComparer.Ordinal), (await k.Source.ListPayoutIdsAsync(k.Integration, now.AddDays(-31), ct)).Order(StringComparer.Ordinal));
        Assert.Null(await k.Source.GetPayoutAsync(k.Integration, "NOSUCHREF", ct));
        Assert.Equal(0, k.H.Sandbox.State.Contract.Count);
    }

    [Fact]
    public async Task Failures_map_to_the_PSP_codes_and_the_credentials_are_never_shown()
    {
        var ct = TestContext.Current.CancellationToken;
        await using (var bad = await KlarnaKit.StartAsync(azurite, credentials: KlarnaState.DefaultUsername + ":wrong-secret-xyz"))
        {
            var auth = await Assert.ThrowsAsync<ConnectorException>(() => bad.Source.GetPayoutAsync(bad.Integration, "KREF1", ct));
            Assert.Equal(ErrorCodes.PspAuthFailed, auth.Code);
            Assert.DoesNotContain("wrong-secret-xyz", auth.Message, StringComparison.Ordinal);
            Assert.Equal(0, bad.H.Sandbox.State.Contract.Count); // wrong credentials are on contract, just refused
        }

        await using var k = await KlarnaKit.StartAsync(azurite);
        var id = await k.SeedAsync(new KlarnaTransactionSeed { Amount = 1000, Reference = "NT-1" });
        k.Klarna.RateLimited = 100;
        Assert.Equal(ErrorCodes.PspRateLimited, (await Assert.ThrowsAsync<ConnectorException>(() => k.Source.GetPayoutAsync(k.Integration, id, ct))).Code);
        k.Klarna.RateLimited = 0;

        k.Klarna.Fail5xx = 100;
        Assert.Equal(ErrorCodes.PspUnavailable, (await Assert.ThrowsAsync<ConnectorException>(() => k.Source.GetPayoutAsync(k.Integration, id, ct))).Code);
        k.Klarna.Fail5xx = 0;

        // The list grows while it is paged: never a truncated payout.
        k.Klarna.GrowTotals = 1;
        var moved = await Assert.ThrowsAsync<ConnectorException>(() => k.Source.GetPayoutAsync(k.Integration, id, ct));
        Assert.Equal(ErrorCodes.PspPagingIncomplete, moved.Code);
        Assert.True(moved.Retryable);

        // One 500 and one lost response are retried in process (reads).
        k.Klarna.Fail5xx = 1;
        k.Klarna.DropResponses = 1;
        Assert.Equal(10.00m, (await k.Source.GetPayoutAsync(k.Integration, id, ct))!.Total);
        Assert.Equal(0, k.Klarna.DropResponses);
        Assert.Equal(0, k.H.Sandbox.State.Contract.Count);
    }

    [Fact]
    public async Task The_strict_emulator_rejects_and_records_off_contract_requests()
    {
        await using var k = await KlarnaKit.StartAsync(azurite);
        var ct = TestContext.Current.CancellationToken;
        var basic = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(KlarnaState.DefaultUsername + ":" + KlarnaState.DefaultPassword)));

        async Task<(HttpStatusCode Status, JsonElement Body)> Get(string pathAndQuery, bool auth = true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, k.H.Sandbox.KlarnaApiBase + pathAndQuery);
            if (auth)
                request.Headers.Authorization = basic;
            using var response = await Http.SendAsync(request, ct);
            return (response.StatusCode, JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync(ct)));
        }

        var (status, body) = await Get("/transactions?payment_reference=X&size=501");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("BAD_VALUE", body.GetProperty("error_code").GetString());
        Assert.Contains("maximum of 500", body.GetProperty("error_messages")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await Get("/transactions?payout_id=X")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Get("/payouts?start_date=yesterday")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Get("/settlements")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Get("/payouts", auth: false)).Status);
        Assert.Equal(HttpStatusCode.OK, (await Get("/payouts?start_date=2026-01-01T00:00:00Z&size=500&offset=0")).Status);
        Assert.Equal(5, k.H.Sandbox.State.Contract.Count);
        Assert.All(k.H.Sandbox.State.Contract.All, v => Assert.Equal("klarna", v.Vendor));

        var c = KlarnaContract.Instance;
        Assert.Empty(c.Validate("GET", "/transactions", [new("payment_reference", "X"), new("size", "500"), new("offset", "1000")]));
        Assert.Empty(c.Validate("GET", "/payouts/KREF1", []));
        Assert.Single(c.Validate("GET", "/transactions", [new("offset", "-1")]));
        Assert.Single(c.Validate("GET", "/transactions", [new("size", "ten")]));
        Assert.Single(c.Validate("POST", "/payouts", []));
    }

    /// <summary>
    /// Klarna's settlement table: "+ total_commission_amount | + commission" (commissions are paid by Klarna to the
    /// merchant) and "− total_commission_reversal_amount | − commission". Counted by hand (SEK minor units):
    /// sale 100000 + commission 500 − commission reversal 200 = 100300 = 1,003.00, whether Klarna signs the amounts or not.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Commissions_are_paid_to_the_merchant_and_their_reversal_taken_back(bool signedAmounts)
    {
        await using var k = await KlarnaKit.StartAsync(azurite);
        var id = await k.SeedAsync(new KlarnaPayoutSeed
        {
            PayoutDate = new DateTimeOffset(2026, 11, 30, 6, 0, 0, TimeSpan.Zero),
            SignedAmounts = signedAmounts,
            SettlementAmount = 100300,
            Transactions =
            [
                new() { Type = "SALE", Amount = 100000, Reference = "NT-7101" },
                new() { Type = "COMMISSION", Amount = 500, DetailedType = "PURCHASE_COMMISSION_PERCENTAGE" },
                new() { Type = "COMMISSION", Amount = 200, DetailedType = "COMMISSION_RETURN" },
            ],
        });

        var payout = await k.Source.GetPayoutAsync(k.Integration, id, TestContext.Current.CancellationToken);

        Assert.NotNull(payout);
        Assert.Equal(1003.00m, payout.Total);
        Assert.Equal(payout.Total, payout.Lines.Sum(l => l.Net));
        Assert.Equal([PayoutLineKind.Sale, PayoutLineKind.Other, PayoutLineKind.Other], payout.Lines.Select(l => l.Kind));
        Assert.Equal([1000.00m, 5.00m, -2.00m], payout.Lines.Select(l => l.Gross));
        Assert.Equal(1, KlarnaPayoutSource.Sign("COMMISSION", "PURCHASE_COMMISSION_PERCENTAGE"));
        Assert.Equal(-1, KlarnaPayoutSource.Sign("COMMISSION", "COMMISSION_RETURN_GROSS"));
    }

    [Fact]
    public void Signs_follow_Klarnas_settlement_table()
    {
        Assert.Equal(1, KlarnaPayoutSource.Sign("SALE"));
        Assert.Equal(-1, KlarnaPayoutSource.Sign("RETURN"));
        Assert.Equal(-1, KlarnaPayoutSource.Sign("FEE"));
        Assert.Equal(1, KlarnaPayoutSource.Sign("FEE_REFUND"));
        Assert.Equal(-1, KlarnaPayoutSource.Sign("HOLDBACK"));
        Assert.Equal(1, KlarnaPayoutSource.Sign("RELEASE"));
        Assert.Equal(0, KlarnaPayoutSource.Sign("CORRECTION"));
    }
}
