using System.Text.Json;
using Azure.Data.Tables;
using Junipeer.Cli.Demo;
using Junipeer.Core.Errors;
using Junipeer.Sandbox;
using Junipeer.Sandbox.Visma;
using Junipeer.Storage;
using Junipeer.Tests.Infrastructure;

namespace Junipeer.Tests.Hostile;

/// <summary>
/// Security checks over a representative run on real parts (local host over HTTP, Azurite, Sandbox):
/// no configured secret or issued token in any captured log line (message, structured values, scopes,
/// exceptions) or HTTP/CLI response; tokens encrypted in Table Storage; tenant isolation in every
/// table and queue.
/// </summary>
public sealed class SecurityTests(HostileEnv env) : IClassFixture<HostileEnv>
{
    /// <summary>Orders, shipments, webhooks (good and hostile), ERP and shop faults, a token refresh, bad orders and CLI errors.</summary>
    private async Task RepresentativeRunAsync()
    {
        await env.ClearQueuesAsync();

        // Orders: signed Centra webhooks, then the handler for each (new customers, then a known one).
        var orders = Enumerable.Range(0, 5).Select(_ => env.AddOrder()).ToList();
        foreach (var n in orders)
        {
            var body = EngineHarness.WebhookBody(n);
            Assert.Equal("202", (await env.CentraWebhookAsync(env.A, body, HostileEnv.CentraSign(env.A.CentraSecret, body))).Outcome);
            Assert.Equal("Done", (await env.HandleOrderAsync(env.A, n)).Outcome);
        }

        // Failures: a Visma 5xx, a token revoked mid-run (the client fetches a new one), garbage answers, a bad order.
        var faulty = env.AddOrder();
        env.State.Faults.Visma5xxRate = 1;
        Assert.Equal("retry", (await env.HandleOrderAsync(env.A, faulty)).Outcome);
        env.State.Faults.Visma5xxRate = 0;
        env.State.Visma.RevokeAllTokens();
        env.State.Faults.GarbageKind = GarbageKinds.Html;
        env.State.Faults.CentraGarbageCount = 1;
        Assert.Equal("retry", (await env.HandleOrderAsync(env.A, faulty)).Outcome);
        Assert.Equal("Done", (await env.HandleOrderAsync(env.A, faulty)).Outcome);
        Assert.Equal("Failed", (await env.HandleOrderAsync(env.A, env.AddOrder(o => o.Currency = "XYZ"))).Outcome);

        // Shipments: a Visma-signed signal, then the handler (nShift booking, Centra shipment and capture).
        var (_, shipment) = env.SeedShipment(env.A);
        var signal = VismaWebhookSender.Body(env.A.Tenant, shipment, DateTimeOffset.UtcNow);
        Assert.Equal("202", (await env.VismaWebhookAsync(env.A, signal, HostileEnv.VismaSign(env.A.VismaSecret, signal))).Outcome);
        Assert.Equal("Done", (await env.HandleShipmentAsync(env.A, shipment)).Outcome);

        // Every hostile HTTP and CLI row once (their bodies and the CLI's output are captured too).
        foreach (var c in HostileCases.All.Where(c => c.Surface is "Centra webhook" or "Visma webhook" or "CLI" or "Settings"))
            await c.Act(env);
    }

    [Fact]
    public async Task No_configured_secret_or_issued_token_appears_in_logs_responses_or_stored_tokens()
    {
        await RepresentativeRunAsync();

        var issued = env.State.Visma.IssuedTokens;
        Assert.True(issued.Count >= 2, "the run fetched a token, had it revoked and fetched another");
        var secrets = env.Secrets.Concat(issued).Where(s => s.Length >= 8).Distinct(StringComparer.Ordinal).ToList();
        var logs = env.Logs.Lines.ToList();
        var responses = env.ResponsesSeen.ToList();
        Assert.True(logs.Count > 200, $"only {logs.Count} log lines were captured");
        Assert.True(responses.Count > 50, $"only {responses.Count} responses were captured");

        var leaks = (from secret in secrets
                     from line in logs.Concat(responses)
                     where line.Contains(secret, StringComparison.Ordinal)
                     select $"{Redact(secret)} in: {Redact(line.Replace(secret, "<SECRET>", StringComparison.Ordinal))}").Take(5).ToList();
        Assert.True(leaks.Count == 0, "Secrets leaked:\n" + string.Join("\n", leaks));

        // Tokens at rest: the Tokens table holds no issued access token in clear text (AES-GCM, bound to integration).
        var tokenRows = await env.RowsAsync(StorageNames.Tokens);
        Assert.NotEmpty(tokenRows);
        var stored = string.Join("\n", tokenRows.SelectMany(r => r.Select(kv => kv.Value?.ToString() ?? "")));
        Assert.All(issued, t => Assert.DoesNotContain(t, stored, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_row_and_message_belongs_to_one_integration_and_B_can_neither_read_nor_change_A()
    {
        await RepresentativeRunAsync();

        // Every row of every table is keyed by its integration.
        var ids = new[] { env.A.Id, env.B.Id };
        foreach (var table in new[] { StorageNames.Ledger, StorageNames.Checkpoints, StorageNames.Inbox, StorageNames.Mappings, StorageNames.Events, StorageNames.Tokens })
        {
            foreach (var row in await env.RowsAsync(table))
                Assert.True(ids.Count(id => row.PartitionKey == id || row.PartitionKey.StartsWith(id + "|", StringComparison.Ordinal)) == 1,
                    $"{table} row {row.PartitionKey}/{row.RowKey} is not keyed by exactly one integration");
        }

        foreach (var row in await env.RowsAsync(StorageNames.Integrations))
        {
            using var settings = JsonDocument.Parse(row.GetString("Settings")!);
            Assert.Equal(row.RowKey, settings.RootElement.GetProperty("id").GetString());
        }

        // A's state before B's barrage.
        var aRows = await SnapshotAsync(env.A);
        var aInvoices = env.State.Visma.Invoices(env.A.Tenant).Count;
        var aOrders = Enumerable.Range(0, 3).Select(_ => env.AddOrder()).ToList();
        foreach (var n in aOrders)
            Assert.Equal("Done", (await env.HandleOrderAsync(env.A, n)).Outcome);
        aRows = await SnapshotAsync(env.A);
        aInvoices = env.State.Visma.Invoices(env.A.Tenant).Count;

        await env.ClearQueuesAsync();
        // 1. A's webhook bodies signed with B's secret, posted to A: refused.
        var body = EngineHarness.WebhookBody([.. aOrders]);
        Assert.Equal(("401", ErrorCodes.WebhookSignatureInvalid), Pair(await env.CentraWebhookAsync(env.A, body, HostileEnv.CentraSign(env.B.CentraSecret, body))));
        var (_, shipment) = env.SeedShipment(env.A);
        var signal = VismaWebhookSender.Body(env.A.Tenant, shipment, DateTimeOffset.UtcNow);
        Assert.Equal(("401", ErrorCodes.WebhookSignatureInvalid), Pair(await env.VismaWebhookAsync(env.A, signal, HostileEnv.VismaSign(env.B.VismaSecret, signal))));
        Assert.Equal(0, await env.QueueLengthAsync(StorageNames.OrdersQueue));

        // 2. A's keys under B's id, properly signed by B: accepted for B only, and B's handlers book nothing of A's.
        Assert.Equal("202", (await env.CentraWebhookAsync(env.B, body, HostileEnv.CentraSign(env.B.CentraSecret, body))).Outcome);
        Assert.Equal("202", (await env.VismaWebhookAsync(env.B, signal, HostileEnv.VismaSign(env.B.VismaSecret, signal))).Outcome);
        foreach (var m in (await env.QueueMessagesAsync(StorageNames.OrdersQueue)).Concat(await env.QueueMessagesAsync(StorageNames.ShipmentsQueue)))
            Assert.Equal(env.B.Id, QueueWorkQueue.TryParse(m)!.IntegrationId);
        foreach (var n in aOrders)
            Assert.Equal("Skipped", (await env.HandleOrderAsync(env.B, n)).Outcome);
        var shipped = await env.HandleShipmentAsync(env.B, shipment);
        Assert.NotEqual("Done", shipped.Outcome);
        Assert.Empty(env.State.Visma.Invoices(env.B.Tenant));
        Assert.DoesNotContain(env.State.NShift.Bookings, b => b.ShipmentNo == shipment);

        // A's rows are exactly as they were (same ETags), and A's company has no new documents.
        Assert.Equal(aRows, await SnapshotAsync(env.A));
        Assert.Equal(aInvoices, env.State.Visma.Invoices(env.A.Tenant).Count);
    }

    private static (string, string?) Pair(Observed o) => (o.Outcome, o.Code);

    private async Task<List<string>> SnapshotAsync(HostileEnv.Side side)
    {
        var rows = new List<string>();
        foreach (var table in new[] { StorageNames.Ledger, StorageNames.Checkpoints, StorageNames.Inbox, StorageNames.Mappings, StorageNames.Events, StorageNames.Tokens })
            rows.AddRange((await env.RowsAsync(table, side)).Select(r => $"{table}/{r.PartitionKey}/{r.RowKey}/{r.ETag}"));
        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    private static string Redact(string s) => s.Length > 200 ? s[..200] : s;
}
