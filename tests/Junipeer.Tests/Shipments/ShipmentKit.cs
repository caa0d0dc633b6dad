using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Junipeer.Cli.Demo;
using Junipeer.Connectors.VismaNet;
using Junipeer.Core.Integrations;
using Junipeer.Core.Shipments;
using Junipeer.Core.Sync;
using Junipeer.Functions.Shipments;
using Junipeer.Sandbox;
using Junipeer.Sandbox.Centra;
using Junipeer.Sandbox.Visma;
using Junipeer.Storage;
using Junipeer.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace Junipeer.Tests.Shipments;

/// <summary>
/// The shipments flow on real parts: <see cref="EngineHarness"/> (Azurite, the production registration)
/// with the shipments flow switched on against the Sandbox's Visma shipments, Centra mutations and nShift.
/// </summary>
internal sealed class ShipmentKit : IAsyncDisposable
{
    private ShipmentKit(EngineHarness h, string webhookSecret)
    {
        H = h;
        WebhookSecret = webhookSecret;
    }

    public EngineHarness H { get; }
    public string WebhookSecret { get; }
    public SandboxState State => H.Sandbox.State;
    public string Tenant => H.Tenant;
    public Integration Integration => H.Integration;

    public static async Task<ShipmentKit> StartAsync(AzuriteFixture azurite, Func<ShipmentFlowSettings, ShipmentFlowSettings>? settings = null,
        string? nshiftKey = null, string? previousWebhookSecret = null, Dictionary<string, string?>? extraSettings = null, string? id = null, TimeProvider? sandboxTime = null, TimeProvider? engineTime = null)
    {
        id ??= EngineHarness.NewId();
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
        var h = await EngineHarness.StartAsync(azurite, new HarnessOptions
        {
            Id = id,
            SandboxTime = sandboxTime,
            EngineTime = engineTime,
            Settings = new Dictionary<string, string?>
            {
                [$"Secrets:{DemoScenario.VismaWebhookSecretNameFor(id)}"] = secret,
                [$"Secrets:{IntegrationValidator.SecretScope(id)}PreviousVismaWebhookSecret"] = previousWebhookSecret,
                [$"Secrets:{DemoScenario.NShiftKeySecretNameFor(id)}"] = nshiftKey ?? new SandboxOptions().NShiftKeyId + "-" + new SandboxOptions().NShiftKeySecret,
                [ShipmentSweepFunction.ScheduleSetting] = "0 */5 * * * *",
            }.Concat(extraSettings ?? []).ToDictionary(kv => kv.Key, kv => kv.Value),
            Integration = i =>
            {
                // The Sandbox's base is only known once it runs: the harness passes the Centra URL's host.
                var nshift = new Uri(new Uri(i.Shop.Centra!.GraphQlUrl), "/nshift/rs-extapi/v1");
                var withShipments = DemoScenario.WithShipments(i, nshift);
                var s = withShipments.Shipments with
                {
                    PreviousWebhookSecretName = previousWebhookSecret is null ? null : IntegrationValidator.SecretScope(id) + "PreviousVismaWebhookSecret",
                };
                return withShipments with { Shipments = settings?.Invoke(s) ?? s };
            },
        });
        return new ShipmentKit(h, secret);
    }

    /// <summary>Seeds a Centra order and its Visma shipment (Open), returns the shipment number.</summary>
    public string Seed(int orderNumber, string country = "SE", Func<CentraLineSnapshot, decimal>? shipped = null, Action<CentraOrderSpec>? order = null, Func<VismaShipmentSpec, VismaShipmentSpec>? shipment = null)
    {
        var spec = DemoData.SwedishOrder(orderNumber);
        spec.ShippingAddress = new CentraAddressSpec
        {
            FirstName = "Anna", LastName = "Berg", Address1 = "Storgatan 1", Country = country, Email = $"shopper{orderNumber}@example.com",
            ZipCode = country == "SE" ? "11122" : "10115", City = country == "SE" ? "Stockholm" : "Berlin",
        };
        order?.Invoke(spec);
        var snap = H.AddOrder(spec);
        var s = DemoScenario.ShipmentFor(spec, snap, shipVia: "POSTNORD", shipped: shipped);
        s = shipment?.Invoke(s) ?? s;
        return State.Visma.AddShipment(Tenant, s).Number;
    }

    public void Confirm(string number) => Assert.NotNull(State.Visma.ConfirmShipment(Tenant, number));

    /// <summary>Plays the Visma Webhook Dispatcher against the function class: same body and signature as the Sandbox's sender, with its drop/duplicate rolls.</summary>
    public async Task<(int Sent, List<string> Dropped, List<int> Statuses)> SignalAsync(IReadOnlyList<string> numbers, double dropRate, double duplicateRate, int seed = 3)
    {
        var random = new Random(seed);
        var dropped = new List<string>();
        var statuses = new List<int>();
        var sent = 0;
        foreach (var n in numbers)
        {
            var drop = random.NextDouble() < dropRate;
            var duplicate = random.NextDouble() < duplicateRate;
            if (drop)
            {
                dropped.Add(n);
                continue;
            }

            for (var k = 0; k < (duplicate ? 2 : 1); k++)
            {
                var body = VismaWebhookSender.Body(Tenant, n, DateTimeOffset.UtcNow);
                statuses.Add((await PostAsync(body, VismaWebhookSender.Sign(WebhookSecret, body))).Status);
                sent++;
            }
        }

        return (sent, dropped, statuses);
    }

    public async Task<WebhookResponse> PostAsync(string body, string? signature, string? integrationId = null)
    {
        var ctx = new DefaultHttpContext { RequestServices = H.Services };
        ctx.Request.Method = "POST";
        ctx.Request.ContentType = "application/json";
        var bytes = Encoding.UTF8.GetBytes(body);
        ctx.Request.Body = new MemoryStream(bytes);
        ctx.Request.ContentLength = bytes.Length;
        if (signature is not null)
            ctx.Request.Headers[VismaWebhookVerifier.HeaderName] = signature;
        var result = await H.Function<VismaWebhookFunction>().Run(ctx.Request, integrationId ?? Integration.Id, TestContext.Current.CancellationToken);
        var obj = Assert.IsType<ObjectResult>(result);
        return new WebhookResponse(obj.StatusCode ?? 200, JsonSerializer.SerializeToElement(obj.Value, Junipeer.Core.JunipeerJson.Options));
    }

    public Task SweepAsync() => H.Function<ShipmentSweepFunction>().Run(new TimerInfo(), TestContext.Current.CancellationToken);

    /// <summary>Processes the shipments queue until empty, as the queue extension would (redeliver on failure, poison at maxDequeueCount).</summary>
    public async Task<int> DrainAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var queue = H.Queue(StorageNames.ShipmentsQueue);
        await queue.CreateIfNotExistsAsync(cancellationToken: ct);
        var invocations = 0;
        for (var round = 0; round < 200; round++)
        {
            var batch = (await queue.ReceiveMessagesAsync(16, TimeSpan.FromMinutes(5), ct)).Value;
            if (batch.Length == 0)
                break;
            foreach (var m in batch)
            {
                invocations++;
                try
                {
                    await H.Function<ShipmentSyncFunction>().Run(m.MessageText, ct);
                    await queue.DeleteMessageAsync(m.MessageId, m.PopReceipt, ct);
                }
                catch (Exception) when (m.DequeueCount >= H.MaxDequeueCount)
                {
                    await queue.DeleteMessageAsync(m.MessageId, m.PopReceipt, ct);
                    await H.Function<ShipmentPoisonFunction>().Run(m.MessageText, ct);
                }
                catch (Exception)
                {
                    await queue.UpdateMessageAsync(m.MessageId, m.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: ct);
                }
            }
        }

        return invocations;
    }

    public Task<Junipeer.Core.Orders.SyncResult> HandleAsync(string shipmentNumber, string invocation = "test") =>
        H.Services.GetRequiredService<ShipmentSyncHandler>().HandleAsync(
            ShipmentSyncHandler.Item(Integration.Id, shipmentNumber, WorkReasons.Replay, $"{invocation}-{shipmentNumber}", DateTimeOffset.UtcNow),
            invocation, TestContext.Current.CancellationToken);

    public Task<LedgerEntry?> LedgerAsync(string shipmentNumber) =>
        H.Services.GetRequiredService<ISyncLedger>().GetAsync(new LedgerKey(Integration.Id, Flows.Shipments, shipmentNumber), TestContext.Current.CancellationToken);

    public IReadOnlyList<CentraShipmentSnapshot> CentraShipmentsOf(int orderNumber) => [.. State.Centra.Shipments().Where(s => s.OrderNumber == orderNumber)];

    public int BookingsFor(string shipmentNumber) => State.NShift.Bookings.Count(b => b.Reference == Integration.Shipments.ReferencePrefix + shipmentNumber);

    /// <summary>No emulator saw an off-contract request (Visma, Centra, nShift).</summary>
    public void AssertOnContract() =>
        Assert.True(State.Contract.Count == 0, "Off-contract requests:\n" + string.Join("\n", State.Contract.All.Select(v => $"{v.Vendor} {v.Method} {v.Path}: {v.Message}")));

    /// <summary>A booking made by hand in nShift (over its API) with the given reference.</summary>
    public async Task BookByHandAsync(string reference)
    {
        using var http = new HttpClient();
        using var req = new HttpRequestMessage(HttpMethod.Post, new Uri(H.Sandbox.NShiftApiBase + "/shipments"));
        req.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", State.NShift.KeyId + "-" + State.NShift.KeySecret);
        req.Content = new StringContent($$$"""
            {"shipment":{"sender":{"name":"Warehouse","city":"Göteborg","country":"SE"},"receiver":{"name":"Anna","zipcode":"11122","city":"Stockholm","country":"SE"},
             "service":{"id":"P19"},"parcels":[{"copies":1,"weight":1.5}],"orderNo":"manual","senderReference":"{{{reference}}}"}}
            """, Encoding.UTF8, "application/json");
        using var res = await http.SendAsync(req, TestContext.Current.CancellationToken);
        Assert.Equal(201, (int)res.StatusCode);
    }

    /// <summary>A shipment made by hand in Centra (over its GraphQL API).</summary>
    public async Task ShipByHandAsync(int orderNumber, int lineId, string? additionalMessage)
    {
        using var http = new HttpClient();
        using var req = new HttpRequestMessage(HttpMethod.Post, H.Sandbox.CentraGraphQlUrl);
        req.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", H.Sandbox.Options.CentraToken);
        var query = "mutation M($input: ShipmentCreateInput!) { createShipment(input: $input) { shipment { id } userErrors { message } } }";
        req.Content = new StringContent(JsonSerializer.Serialize(new
        {
            query,
            operationName = "M",
            variables = new { input = new { order = new { number = orderNumber }, lines = new[] { new { orderLine = new { id = lineId }, quantity = 1 } }, additionalMessage } },
        }), Encoding.UTF8, "application/json");
        using var res = await http.SendAsync(req, TestContext.Current.CancellationToken);
        var text = await res.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(res.IsSuccessStatusCode && !text.Contains("\"message\"", StringComparison.Ordinal), text);
    }

    public ValueTask DisposeAsync() => H.DisposeAsync();
}
