using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Junipeer.Cli.Demo;
using Junipeer.Cli.LocalHost;
using Junipeer.Connectors.VismaNet;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Orders;
using Junipeer.Core.Shipments;
using Junipeer.Core.Sync;
using Junipeer.Sandbox;
using Junipeer.Sandbox.Centra;
using Junipeer.Storage;
using Junipeer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Junipeer.Tests.Hostile;

/// <summary>What one hostile input got back: an HTTP status ("401"), a handler outcome ("Failed", "retry"), "refused", or "exit 2"; plus the error code.</summary>
public sealed record Observed(string Outcome, string? Code, string Detail = "")
{
    public override string ToString() => $"{Outcome} {Code} {Detail}";
}

/// <summary>
/// The system under attack, started once per test class: the Sandbox on loopback, Azurite, and the
/// local Functions host (real Kestrel, the production registration) serving two integrations A and B
/// (each its own Visma company, Centra store filter, Centra and Visma webhook secrets). Queues are
/// not pumped, so every message a hostile input would enqueue stays countable; handlers are run
/// explicitly where a case needs processing. All log output is captured (<see cref="Logs"/>).
/// </summary>
public sealed class HostileEnv(AzuriteFixture azurite) : IAsyncLifetime
{
    private int _nextOrder = 20_000;

    public SandboxHost Sandbox { get; private set; } = null!;
    public LocalFunctionsHost Host { get; private set; } = null!;
    public Side A { get; private set; } = null!;
    public Side B { get; private set; } = null!;
    public string Prefix { get; } = "ho" + Guid.NewGuid().ToString("N")[..10];
    public CapturingLoggerProvider Logs { get; } = new();
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };
    public string ConnectionString => azurite.ConnectionString;
    public SandboxState State => Sandbox.State;
    public IServiceProvider Services => Host.Services;

    /// <summary>Every secret value configured for the host (for the leak checks).</summary>
    public List<string> Secrets { get; } = [];

    public sealed record Side(Integration Integration, string Tenant, string CentraSecret, string VismaSecret)
    {
        public string Id => Integration.Id;
    }

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        Sandbox = await SandboxHost.StartAsync(new SandboxOptions { Port = 0 }, ct);
        var settings = new Dictionary<string, string?>(FunctionCatalog.TimerSettingsOff())
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Junipeer:Storage:Prefix"] = Prefix,
            ["Junipeer:TokenEncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            [IntegrationRules.AllowLoopbackHttpKey] = "true",
        };
        Side Make(string letter, string store)
        {
            var id = $"h{letter}-" + Guid.NewGuid().ToString("N")[..10];
            var tenant = Guid.NewGuid().ToString();
            Sandbox.State.Visma.CreateCompany(DemoScenario.Company(tenant));
            var centraSecret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
            var vismaSecret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
            settings[$"Secrets:{DemoScenario.VismaSecretNameFor(id)}"] = DemoScenario.ClientSecret;
            settings[$"Secrets:{DemoScenario.CentraTokenSecretNameFor(id)}"] = Sandbox.Options.CentraToken;
            settings[$"Secrets:{DemoScenario.WebhookSecretNameFor(id)}"] = centraSecret;
            settings[$"Secrets:{DemoScenario.VismaWebhookSecretNameFor(id)}"] = vismaSecret;
            settings[$"Secrets:{DemoScenario.NShiftKeySecretNameFor(id)}"] = Sandbox.Options.NShiftKeyId + "-" + Sandbox.Options.NShiftKeySecret;
            Secrets.AddRange([centraSecret, vismaSecret]);
            var integration = DemoScenario.Integration(Sandbox.VismaApiBase, Sandbox.VismaTokenUrl, Sandbox.CentraGraphQlUrl, id, tenant,
                syncFrom: Sandbox.State.Clock.GetUtcNow() - TimeSpan.FromDays(1));
            integration = integration with
            {
                Shop = integration.Shop with { Centra = integration.Shop.Centra! with { OrderFilter = new OrderOwnershipFilter { StoreIds = [store] } } },
            };
            integration = DemoScenario.WithShipments(integration, new Uri(new Uri(Sandbox.CentraGraphQlUrl.ToString()), "/nshift/rs-extapi/v1"));
            return new Side(integration, tenant, centraSecret, vismaSecret);
        }

        A = Make("a", "1");
        B = Make("b", "2");
        Secrets.AddRange([DemoScenario.ClientSecret, Sandbox.Options.CentraToken, Sandbox.Options.NShiftKeySecret, settings["Junipeer:TokenEncryptionKey"]!]);
        Host = await LocalFunctionsHost.StartAsync(new LocalHostOptions
        {
            Port = 0,
            EnableQueues = false,
            EnableTimers = false,
            MinimumLogLevel = LogLevel.Trace,
            ConfigureLogging = l => l.AddProvider(Logs),
            Settings = settings,
        }, ct);
        var store = Services.GetRequiredService<IIntegrationStore>();
        var ledger = Services.GetRequiredService<ISyncLedger>();
        foreach (var side in new[] { A, B })
        {
            await store.SaveAsync(side.Integration, ct);
            await StorageEpoch.SetAsync(ledger, side.Id, DateTimeOffset.UtcNow.AddDays(-1), ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
        await Sandbox.DisposeAsync();
    }

    public int NextOrder() => Interlocked.Increment(ref _nextOrder);

    /// <summary>Seeds a good Centra order of A's store (store 1) and returns its number.</summary>
    public int AddOrder(Action<CentraOrderSpec>? change = null, int? store = null)
    {
        var n = NextOrder();
        var spec = DemoData.SwedishOrder(n);
        spec.StoreId = store ?? 1;
        change?.Invoke(spec);
        State.Centra.AddOrder(spec);
        return n;
    }

    /// <summary>Seeds a Centra order of A's store with a shipping address and its confirmed Visma shipment in <paramref name="side"/>'s company; returns the shipment number.</summary>
    public (int Order, string Shipment) SeedShipment(Side side)
    {
        var n = NextOrder();
        var spec = DemoData.SwedishOrder(n);
        spec.ShippingAddress = new CentraAddressSpec
        {
            FirstName = "Anna", LastName = "Berg", Address1 = "Storgatan 1", Country = "SE", Email = $"shopper{n}@example.com", ZipCode = "11122", City = "Stockholm",
        };
        var snap = State.Centra.AddOrder(spec);
        var number = State.Visma.AddShipment(side.Tenant, DemoScenario.ShipmentFor(spec, snap, shipVia: "POSTNORD")).Number;
        Assert.NotNull(State.Visma.ConfirmShipment(side.Tenant, number));
        return (n, number);
    }

    public int InvoicesFor(Side side, int order) =>
        State.Visma.Invoices(side.Tenant).Count(i => i.CustomerRefNumber == side.Integration.Orders.ReferencePrefix + order.ToString(CultureInfo.InvariantCulture));

    public int AllInvoices => State.Visma.Invoices(A.Tenant).Count + State.Visma.Invoices(B.Tenant).Count;

    /// <summary>Runs the order handler once for <paramref name="order"/> under <paramref name="side"/>, as one queue delivery would.</summary>
    public Task<Observed> HandleOrderAsync(Side side, int order) => HandleOrderAsync(side, order.ToString(CultureInfo.InvariantCulture));

    /// <summary>Runs the order handler once for any entity key (a forged queue message), as one queue delivery would.</summary>
    public async Task<Observed> HandleOrderAsync(Side side, string key)
    {
        var item = WorkItem.ForOrder(side.Id, key, WorkReasons.Replay, $"hostile-{Guid.NewGuid():N}", DateTimeOffset.UtcNow);
        try
        {
            var r = await Services.GetRequiredService<OrderSyncHandler>().HandleAsync(item, "hostile", TestContext.Current.CancellationToken);
            return new Observed(r.Outcome.ToString(), r.ErrorCode, r.Message ?? "");
        }
        catch (JunipeerException ex)
        {
            return new Observed("retry", ex.Code, ex.Message);
        }
    }

    public async Task<Observed> HandleShipmentAsync(Side side, string shipment)
    {
        var item = ShipmentSyncHandler.Item(side.Id, shipment, WorkReasons.Replay, $"hostile-{Guid.NewGuid():N}", DateTimeOffset.UtcNow);
        try
        {
            var r = await Services.GetRequiredService<ShipmentSyncHandler>().HandleAsync(item, "hostile", TestContext.Current.CancellationToken);
            return new Observed(r.Outcome.ToString(), r.ErrorCode, r.Message ?? "");
        }
        catch (JunipeerException ex)
        {
            return new Observed("retry", ex.Code, ex.Message);
        }
    }

    // ---- HTTP -------------------------------------------------------------------------------

    public static string CentraSign(string secret, string body, long? t = null)
    {
        var ts = t ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return $"t={ts},v1={CentraSignature.Sign(secret, ts, body)}";
    }

    public static string VismaSign(string secret, string body) => VismaWebhookVerifier.Sign(secret, body);

    /// <summary>POSTs to the local host over real HTTP. <paramref name="chunked"/> sends without Content-Length.</summary>
    public async Task<Observed> PostAsync(string relative, string body, IReadOnlyDictionary<string, string>? headers = null,
        string? contentType = "application/x-www-form-urlencoded", bool chunked = false, byte[]? raw = null)
    {
        var bytes = raw ?? Encoding.UTF8.GetBytes(body);
        HttpContent content = chunked ? new StreamContent(new NonSeekable(bytes)) : new ByteArrayContent(bytes);
        if (contentType is not null)
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Host.BaseUri, relative)) { Content = content };
        foreach (var (k, v) in headers ?? new Dictionary<string, string>())
            request.Headers.TryAddWithoutValidation(k, v);
        using var response = await Http.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        ResponsesSeen.Add(text);
        string? code = null;
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("code", out var c))
                code = c.GetString();
        }
        catch (JsonException)
        {
        }

        return new Observed(((int)response.StatusCode).ToString(CultureInfo.InvariantCulture), code, text.Length > 300 ? text[..300] : text);
    }

    /// <summary>Every HTTP response body the env received (for the leak checks).</summary>
    public System.Collections.Concurrent.ConcurrentBag<string> ResponsesSeen { get; } = [];

    public Task<Observed> CentraWebhookAsync(Side target, string body, string? signature, bool chunked = false, string? contentType = "application/x-www-form-urlencoded", string? route = null) =>
        PostAsync($"api/webhooks/centra/{route ?? target.Id}", body,
            signature is null ? null : new Dictionary<string, string> { ["X-Centra-Signature"] = signature }, contentType, chunked);

    public Task<Observed> VismaWebhookAsync(Side target, string body, string? signature, bool chunked = false, string? contentType = "application/json", string? route = null) =>
        PostAsync($"api/webhooks/visma/{route ?? target.Id}", body,
            signature is null ? null : new Dictionary<string, string> { [VismaWebhookVerifier.HeaderName] = signature }, contentType, chunked);

    // ---- storage counts -----------------------------------------------------------------------

    public async Task<int> QueueLengthAsync(string name)
    {
        var q = Services.GetRequiredService<StorageClients>().Queue(name);
        await q.CreateIfNotExistsAsync(cancellationToken: TestContext.Current.CancellationToken);
        return (await q.PeekMessagesAsync(32, TestContext.Current.CancellationToken)).Value.Length;
    }

    public async Task<List<string>> QueueMessagesAsync(string name)
    {
        var q = Services.GetRequiredService<StorageClients>().Queue(name);
        await q.CreateIfNotExistsAsync(cancellationToken: TestContext.Current.CancellationToken);
        return (await q.PeekMessagesAsync(32, TestContext.Current.CancellationToken)).Value.Select(m => m.MessageText).ToList();
    }

    public async Task ClearQueuesAsync()
    {
        foreach (var name in new[] { StorageNames.OrdersQueue, StorageNames.ShipmentsQueue, StorageNames.OrdersPoisonQueue, StorageNames.ShipmentsPoisonQueue })
        {
            var q = Services.GetRequiredService<StorageClients>().Queue(name);
            await q.CreateIfNotExistsAsync(cancellationToken: TestContext.Current.CancellationToken);
            await q.ClearMessagesAsync(TestContext.Current.CancellationToken);
        }
    }

    /// <summary>All rows of a table whose PartitionKey starts with the integration id.</summary>
    public async Task<List<TableEntity>> RowsAsync(string table, Side? side = null)
    {
        var client = Services.GetRequiredService<StorageClients>().Table(table);
        await client.CreateIfNotExistsAsync(TestContext.Current.CancellationToken);
        var rows = new List<TableEntity>();
        await foreach (var e in client.QueryAsync<TableEntity>(cancellationToken: TestContext.Current.CancellationToken))
        {
            if (side is null || e.PartitionKey.StartsWith(side.Id, StringComparison.Ordinal))
                rows.Add(e);
        }

        return rows;
    }

    private sealed class NonSeekable(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
