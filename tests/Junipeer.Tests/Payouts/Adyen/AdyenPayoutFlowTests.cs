using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Junipeer.Cli.Demo;
using Junipeer.Connectors.Http;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Orders;
using Junipeer.Core.Payouts;
using Junipeer.Core.Sync;
using Junipeer.Functions.Payouts;
using Junipeer.Sandbox;
using Junipeer.Sandbox.Adyen;
using Junipeer.Sandbox.Visma;
using Junipeer.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace Junipeer.Tests.Payouts.Adyen;

/// <summary>
/// Adyen end to end: the order flow makes invoices in the Visma emulator, the Adyen emulator closes a
/// batch and serves its settlement details report (columns shuffled), the REPORT_AVAILABLE notification
/// goes through the webhook function, the payouts queue (Azurite) runs the payout handler, which
/// downloads the report over HTTP with the report user and books payments in Visma, exactly once.
/// </summary>
public class AdyenPayoutFlowTests(AzuriteFixture azurite)
{
    private const string Merchant = AdyenKit.Merchant;

    private static async Task<(int Status, string Body, string? Code)> PostAsync(EngineHarness h, string body, string integrationId)
    {
        var ctx = new DefaultHttpContext { RequestServices = h.Services };
        ctx.Request.Method = "POST";
        ctx.Request.ContentType = "application/json";
        var bytes = Encoding.UTF8.GetBytes(body);
        ctx.Request.Body = new MemoryStream(bytes);
        ctx.Request.ContentLength = bytes.Length;
        var result = await h.Function<AdyenWebhookFunction>().Run(ctx.Request, integrationId, TestContext.Current.CancellationToken);
        return result switch
        {
            ContentResult c => (c.StatusCode ?? 200, c.Content ?? "", null),
            ObjectResult o => (o.StatusCode ?? 200, JsonSerializer.Serialize(o.Value, Junipeer.Core.JunipeerJson.Options),
                JsonSerializer.SerializeToElement(o.Value, Junipeer.Core.JunipeerJson.Options).GetProperty("code").GetString()),
            _ => throw new InvalidOperationException(result.GetType().Name),
        };
    }

    private static Task<PayoutResult> HandleAsync(AdyenKit k, string payoutId) =>
        k.H.Services.GetRequiredService<PayoutSyncHandler>().HandleAsync(
            WorkItem.ForPayout(k.Integration.Id, PayoutProviders.Adyen, payoutId, WorkReasons.Replay, "c-" + payoutId, DateTimeOffset.UtcNow), "test", TestContext.Current.CancellationToken);

    [Fact]
    public async Task Report_available_notification_books_one_payment_per_customer_and_a_duplicate_books_nothing_more()
    {
        var k = await AdyenKit.StartAsync(azurite);
        await using var _ = k.H;
        var h = k.H;
        var inv = await h.InvoicesAsync((7101, "anna@example.se"), (7102, "bo@example.se"));
        var batch = h.Sandbox.State.Adyen.SeedBatch(new AdyenBatchSpec
        {
            MerchantAccount = Merchant,
            Sales = [new("NT-7101", inv[7101].Amount, 12.50m), new("NT-7102", inv[7102].Amount, 3.10m)],
            Fees = [4.00m],
            ShuffleColumns = true,
        });
        Assert.Equal(inv[7101].Amount - 12.50m + inv[7102].Amount - 3.10m - 4.00m, batch.Total);

        var body = h.Sandbox.State.Adyen.ReportAvailableJson(Merchant, batch.BatchNumber, "https://ca-test.adyen.com/reports/download/MerchantAccount/NordTrailSE/" + batch.FileName);
        var (status, answer, _) = await PostAsync(h, body, k.Integration.Id);
        Assert.Equal((200, "[accepted]"), (status, answer));
        Assert.Equal(1, await h.QueueLengthAsync(PayoutSyncFunction.Queue));
        Assert.Equal(1, await h.DrainPayoutsAsync(rounds: 20));

        Assert.Equal(2, h.Payments.Count);
        Assert.All(h.Payments, p => Assert.Equal(("Closed", "ADYEN"), (p.Status, p.PaymentMethodId)));
        var anna = h.Payments.Single(p => p.CustomerNumber == inv[7101].CustomerNumber);
        Assert.Equal(inv[7101].Amount - 12.50m, anna.PaymentAmount);
        Assert.Equal(12.50m, Assert.Single(anna.Lines).BalanceWriteOff);
        Assert.All(h.Invoices, i => Assert.Equal(0m, i.Balance));
        var row = await h.Services.GetRequiredService<ISyncLedger>().GetAsync(
            new LedgerKey(h.Integration.Id, PayoutFlows.Payouts, $"adyen:{Merchant}:{batch.BatchNumber}"), TestContext.Current.CancellationToken);
        Assert.Equal(LedgerStatus.Done, row!.Status);

        // Downloaded once over HTTP with the report user, by the documented name; no contract violation.
        var download = Assert.Single(h.Sandbox.State.Adyen.Downloads);
        Assert.Equal((Merchant, batch.FileName, 200), (download.MerchantAccount, download.FileName, download.Status));
        Assert.Equal(0, h.Sandbox.State.Contract.Count);

        // Adyen redelivers (twice): acknowledged, enqueued, and the handler books nothing more.
        Assert.Equal(200, (await PostAsync(h, body, k.Integration.Id)).Status);
        Assert.Equal(200, (await PostAsync(h, body, k.Integration.Id)).Status);
        var calls = h.VismaCalls;
        Assert.Equal(2, await h.DrainPayoutsAsync(rounds: 20));
        Assert.Equal(2, h.Payments.Count);
        Assert.Equal(calls, h.VismaCalls);
        Assert.Single(h.Sandbox.State.Adyen.Downloads);
    }

    [Fact]
    public async Task Emulator_sends_the_notification_over_HTTP_and_it_verifies()
    {
        // The emulator's sender and our verifier agree on the scheme (the intake answers [accepted]).
        var k = await AdyenKit.StartAsync(azurite);
        await using var _ = k.H;
        var h = k.H;
        var batch = h.Sandbox.State.Adyen.SeedBatch(new AdyenBatchSpec { MerchantAccount = Merchant, Sales = [new("NT-1", 100m, 1m)] });
        using var listener = new HttpListener();
        var port = FreePort();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var receive = Task.Run(async () =>
        {
            var ctx = await listener.GetContextAsync();
            using var reader = new StreamReader(ctx.Request.InputStream);
            var raw = await reader.ReadToEndAsync();
            var r = await PostAsync(h, raw, k.Integration.Id);
            var bytes = Encoding.UTF8.GetBytes(r.Body);
            ctx.Response.StatusCode = r.Status;
            await ctx.Response.OutputStream.WriteAsync(bytes);
            ctx.Response.Close();
        }, TestContext.Current.CancellationToken);
        using var http = new HttpClient();
        var sent = await http.PostAsync(new Uri(h.Sandbox.BaseUri, "_sandbox/adyen/notifications"),
            new StringContent(JsonSerializer.Serialize(new { url = $"http://127.0.0.1:{port}/api/webhooks/adyen/{k.Integration.Id}", merchantAccount = Merchant, batchNumber = batch.BatchNumber }), Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);
        await receive;
        var result = JsonDocument.Parse(await sent.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;
        Assert.Equal(200, result.GetProperty("status").GetInt32());
        Assert.Equal("[accepted]", result.GetProperty("body").GetString());
        Assert.Equal(1, await h.QueueLengthAsync(PayoutSyncFunction.Queue));
    }

    [Fact]
    public async Task Bad_HMAC_and_unknown_integration_get_the_same_401_and_nothing_is_enqueued()
    {
        var k = await AdyenKit.StartAsync(azurite);
        await using var _ = k.H;
        var h = k.H;
        var good = h.Sandbox.State.Adyen.ReportAvailableJson(Merchant, 5, "https://x");
        var forged = h.Sandbox.State.Adyen.ReportAvailableJson(Merchant, 5, "https://x", hmacKey: "AABBCCDDEEFFAABBCCDDEEFFAABBCCDDEEFFAABBCCDDEEFFAABBCCDDEEFFAABB");
        var tampered = good.Replace("settlement_detail_report_batch_5.csv", "settlement_detail_report_batch_6.csv", StringComparison.Ordinal);

        var bad = await PostAsync(h, forged, k.Integration.Id);
        var changed = await PostAsync(h, tampered, k.Integration.Id);
        var unknown = await PostAsync(h, good, "it-doesnotexist");
        Assert.Equal((401, ErrorCodes.PayoutWebhookSignatureInvalid), (bad.Status, bad.Code));
        Assert.Equal(bad, changed);
        Assert.Equal(bad, unknown);

        var notJson = await PostAsync(h, "payload=x", k.Integration.Id);
        Assert.Equal((400, ErrorCodes.WebhookPayloadInvalid), (notJson.Status, notJson.Code));
        Assert.Equal(0, await h.QueueLengthAsync(PayoutSyncFunction.Queue));
    }

    [Fact]
    public async Task Other_event_codes_and_other_reports_are_acknowledged_and_ignored()
    {
        var k = await AdyenKit.StartAsync(azurite);
        await using var _ = k.H;
        var h = k.H;
        var authorisation = Signed(new { pspReference = "ZVWN7D3WSMK2WN82", eventCode = "AUTHORISATION", merchantAccountCode = Merchant, merchantReference = "NT-1", success = "true" }, 1000);
        var otherReport = Signed(new { pspReference = "received_payments_report_2026_05_04.csv", eventCode = "REPORT_AVAILABLE", merchantAccountCode = Merchant, merchantReference = "", success = "true" }, 0);
        Assert.Equal((200, "[accepted]"), ((await PostAsync(h, authorisation, k.Integration.Id)).Status, (await PostAsync(h, authorisation, k.Integration.Id)).Body));
        Assert.Equal(200, (await PostAsync(h, otherReport, k.Integration.Id)).Status);
        var badMerchant = Signed(new { pspReference = "settlement_detail_report_batch_3.csv", eventCode = "REPORT_AVAILABLE", merchantAccountCode = "../../etc", merchantReference = "", success = "true" }, 0);
        var r = await PostAsync(h, badMerchant, k.Integration.Id);
        Assert.Equal((400, ErrorCodes.WebhookEventIdInvalid), (r.Status, r.Code));
        Assert.Equal(0, await h.QueueLengthAsync(PayoutSyncFunction.Queue));
    }

    [Fact]
    public async Task Wrong_report_password_is_PSP_AUTH_FAILED_and_an_outage_is_PSP_UNAVAILABLE()
    {
        var k = await AdyenKit.StartAsync(azurite, reportPassword: "wrong");
        await using var _ = k.H;
        var h = k.H;
        var batch = h.Sandbox.State.Adyen.SeedBatch(new AdyenBatchSpec { MerchantAccount = Merchant, Sales = [new("NT-1", 100m, 1m)] });
        var denied = await HandleAsync(k, $"{Merchant}:{batch.BatchNumber}");
        Assert.Equal((SyncOutcome.Failed, ErrorCodes.PspAuthFailed), (denied.Outcome, denied.ErrorCode));
        Assert.Equal(401, h.Sandbox.State.Adyen.Downloads[^1].Status);

        h.Sandbox.State.Adyen.ReportPassword = "wrong";
        h.Sandbox.State.Adyen.Fail5xx = 4; // the first try and the three retries of a read
        var outage = await Assert.ThrowsAnyAsync<ConnectorException>(() => HandleAsync(k, $"{Merchant}:{batch.BatchNumber + 1}"));
        Assert.Equal(ErrorCodes.PspUnavailable, outage.Code);
        Assert.True(outage.Retryable);
        Assert.Equal(4, h.Sandbox.State.Adyen.Downloads.Count(d => d.Status == 500));

        // An unknown batch is PAYOUT_NOT_FOUND (404), not an error of the connector.
        var missing = await HandleAsync(k, $"{Merchant}:999");
        Assert.Equal(ErrorCodes.PayoutNotFound, missing.ErrorCode);
    }

    [Fact]
    public async Task Emulator_is_strict_about_auth_and_file_names()
    {
        await using var sandbox = await SandboxHost.StartAsync(new SandboxOptions { Port = 0 }, TestContext.Current.CancellationToken);
        var batch = sandbox.State.Adyen.SeedBatch(new AdyenBatchSpec { MerchantAccount = Merchant, Sales = [new("NT-1", 100m, 1m)] });
        using var http = new HttpClient();
        var basic = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{AdyenState.DefaultReportUser}:{AdyenState.DefaultReportPassword}")));
        async Task<HttpResponseMessage> GetAsync(string file, bool auth)
        {
            using var req = new HttpRequestMessage(HttpMethod.Get, new Uri(sandbox.AdyenReportBase + $"/reports/download/MerchantAccount/{Merchant}/{file}"));
            if (auth)
                req.Headers.Authorization = basic;
            return await http.SendAsync(req, TestContext.Current.CancellationToken);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(batch.FileName, auth: false)).StatusCode);
        var ok = await GetAsync(batch.FileName, auth: true);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.StartsWith("Company Account,Merchant Account,", await ok.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(0, sandbox.State.Contract.Count);

        var wrongName = await GetAsync("settlement_report_42.csv", auth: true);
        Assert.Equal(HttpStatusCode.BadRequest, wrongName.StatusCode);
        Assert.Contains("settlement_detail_report_batch_", await wrongName.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(1, sandbox.State.Contract.Count);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync("settlement_detail_report_batch_77.csv", auth: true)).StatusCode);
    }

    private static string Signed(object item, long value)
    {
        var json = JsonSerializer.SerializeToElement(item);
        var n = new AdyenNotificationItemBuilder(json, value);
        return n.Json;
    }

    private sealed class AdyenNotificationItemBuilder
    {
        public AdyenNotificationItemBuilder(JsonElement e, long value)
        {
            string S(string p) => e.TryGetProperty(p, out var v) ? v.GetString() ?? "" : "";
            var item = new Junipeer.Connectors.Payments.Adyen.AdyenNotificationItem
            {
                PspReference = S("pspReference"),
                MerchantAccountCode = S("merchantAccountCode"),
                MerchantReference = S("merchantReference"),
                EventCode = S("eventCode"),
                Success = S("success"),
                Value = value,
                Currency = "EUR",
            };
            var sig = Junipeer.Connectors.Payments.Adyen.AdyenHmac.Sign(Junipeer.Connectors.Payments.Adyen.AdyenHmac.SigningString(item), AdyenState.DefaultHmacKey);
            Json = JsonSerializer.Serialize(new
            {
                live = "false",
                notificationItems = new[]
                {
                    new
                    {
                        NotificationRequestItem = new
                        {
                            additionalData = new { hmacSignature = sig },
                            amount = new { currency = "EUR", value },
                            eventCode = item.EventCode,
                            merchantAccountCode = item.MerchantAccountCode,
                            merchantReference = item.MerchantReference,
                            pspReference = item.PspReference,
                            success = item.Success,
                        },
                    },
                },
            });
        }

        public string Json { get; }
    }

    private static int FreePort()
    {
        var l = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
