using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Junipeer.Cli.Demo;
using Junipeer.Cli.LocalHost;
using Junipeer.Core.Integrations;
using Junipeer.Core.Products;
using Junipeer.Core.Stock;
using Junipeer.Core.Sync;
using Junipeer.Functions.Stock;
using Junipeer.Sandbox;
using Junipeer.Sandbox.Centra;
using Junipeer.Sandbox.Visma;
using Junipeer.Storage;
using Junipeer.Tests.Infrastructure;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Junipeer.Tests.Stock;

/// <summary>
/// Visma.net webhooks as stock hints, over real HTTP: the Sandbox's Visma emulator sends signed Inventory Item
/// notifications to the local Functions host (Kestrel) when a quantity changes; the intake enqueues a hint on
/// Azurite; the hint's pass reads the availability delta from the emulator and sets Centra's stock. The engine runs
/// on virtual time with every timer off, so nothing here waits for (or is helped by) the StockSync timer.
/// </summary>
public class StockHintTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_quantity_change_in_Visma_reaches_Centra_through_the_hint_without_the_timer()
    {
        await using var env = await HintEnv.StartAsync(azurite, hints: true);
        env.Seed(5);
        await env.MapAsync(5);
        await env.SubscribeAsync();

        await env.SetAvailableOverHttpAsync(2, 42);
        Assert.Equal(1, await env.QueueLengthAsync());

        env.Time.Advance(TimeSpan.FromSeconds(3));
        var outcomes = await env.DrainAsync();
        Assert.Equal([StockHintOutcome.Passed], outcomes);
        Assert.Equal(42, env.CentraStock(2));
        Assert.Empty(env.Divergent(5));
        Assert.Equal(1, env.SetStockCalls);
        // The timer never ran: every timer of the host is off and the virtual clock moved 3 s (the timer runs every 2 minutes).
        Assert.True(env.Time.GetUtcNow() - env.Started < TimeSpan.FromMinutes(2));
        Assert.Empty(env.Sandbox.State.Contract.All);
    }

    [Fact]
    public async Task Ten_hints_received_together_cost_one_pass()
    {
        await using var env = await HintEnv.StartAsync(azurite, hints: true);
        env.Seed(12);
        await env.MapAsync(12);
        await env.RunTimerAsync(); // baseline: Centra equals Visma before the burst
        Assert.Empty(env.Divergent(12));
        await env.SubscribeAsync();
        var readsBefore = env.InventoryReads;

        for (var i = 1; i <= 10; i++)
        {
            await env.SetAvailableOverHttpAsync(i, 100 + i);
        }

        Assert.Equal(10, await env.QueueLengthAsync()); // ten signed notifications, ten hints
        env.Time.Advance(TimeSpan.FromSeconds(3));
        var outcomes = await env.DrainAsync(concurrently: true);

        Assert.Equal(10, outcomes.Count);
        Assert.Equal(1, outcomes.Count(o => o == StockHintOutcome.Passed));
        Assert.Equal(9, outcomes.Count(o => o == StockHintOutcome.Coalesced));
        Assert.Equal(1, env.InventoryReads - readsBefore); // one delta read of the ERP for ten hints
        Assert.Empty(env.Divergent(12));
    }

    [Fact]
    public async Task A_hint_for_an_integration_with_hints_off_is_ignored_with_a_clear_answer()
    {
        await using var env = await HintEnv.StartAsync(azurite, hints: false);
        env.Seed(3);
        await env.MapAsync(3);

        var body = VismaWebhookSender.InventoryBody(env.Tenant, StockTestKit.Number(1), DateTimeOffset.UtcNow);
        using var response = await env.PostSignedAsync(body);
        Assert.Equal(202, (int)response.StatusCode);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("off", json.GetProperty("stockHint").GetString());
        Assert.Equal(1, json.GetProperty("inventoryNotifications").GetInt32());
        Assert.Equal(1, json.GetProperty("ignored").GetInt32());
        Assert.Equal(0, await env.QueueLengthAsync());
        Assert.Contains(env.Logs.Messages, l => l.Contains("stock webhook hints are off", StringComparison.Ordinal) && l.Contains("stock.webhookHints is false", StringComparison.Ordinal));

        // A hint already on the queue when hints were switched off is ignored by the handler too (and says why).
        var outcome = await env.Host.Services.GetRequiredService<StockHintHandler>()
            .HandleAsync(StockHintHandler.Item(env.Integration.Id, "test", env.Time.GetUtcNow()), Ct);
        Assert.Equal(StockHintOutcome.Ignored, outcome);
        Assert.Equal(0, env.SetStockCalls);
    }

    [Fact]
    public async Task A_dropped_hint_is_made_up_by_the_timer_pass()
    {
        await using var env = await HintEnv.StartAsync(azurite, hints: true);
        env.Seed(4);
        await env.MapAsync(4);
        await env.RunTimerAsync();
        await env.SubscribeAsync(dropRate: 1.0);

        await env.SetAvailableOverHttpAsync(3, 77);
        Assert.Equal(0, await env.QueueLengthAsync()); // the dispatcher dropped it
        Assert.Equal(1, env.Sandbox.State.Visma.InventorySignals.Dropped);
        Assert.NotEqual(77, env.CentraStock(3));

        await env.RunTimerAsync();
        Assert.Equal(77, env.CentraStock(3));
        Assert.Empty(env.Divergent(4));
    }

    [Fact]
    public async Task Duplicated_and_forged_hints_cannot_put_a_wrong_quantity_in_Centra()
    {
        await using var env = await HintEnv.StartAsync(azurite, hints: true);
        env.Seed(3);
        await env.MapAsync(3);
        await env.SubscribeAsync(duplicateRate: 1.0);
        await env.SetAvailableOverHttpAsync(1, 9);
        Assert.Equal(2, await env.QueueLengthAsync()); // sent twice by the dispatcher

        // A forged body (wrong key) is refused; a correctly signed notification naming an item that did not change
        // only moves a pass forward: the pass reads Visma's availability, so the quantities stay Visma's.
        using var forged = await env.PostAsync(VismaWebhookSender.InventoryBody(env.Tenant, StockTestKit.Number(2), DateTimeOffset.UtcNow), "not-the-key");
        Assert.Equal(401, (int)forged.StatusCode);
        env.Time.Advance(TimeSpan.FromSeconds(3));
        var outcomes = await env.DrainAsync();
        Assert.Equal([StockHintOutcome.Passed, StockHintOutcome.Coalesced], outcomes);
        Assert.Equal(9, env.CentraStock(1));
        Assert.Empty(env.Divergent(3));
    }

    [Fact]
    public async Task Saving_hints_without_a_signing_key_is_refused_and_the_delay_is_bounded()
    {
        var rules = IntegrationRules.Default with { AllowLoopbackHttp = true };
        var baseIntegration = DemoScenario.Integration(new Uri("https://api.finance.visma.net/API/"), new Uri("https://connect.visma.com/connect/token"),
            new Uri("https://example.centra.com/graphql"), "hint-check");
        var noKey = baseIntegration with { Stock = baseIntegration.Stock with { WebhookHints = true, HintDelaySeconds = 301 } };
        var problems = IntegrationValidator.Problems(noKey, rules);
        Assert.Contains(problems, p => p.Contains("Stock.WebhookHints needs", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Stock.HintDelaySeconds 301 must be 0-300", StringComparison.Ordinal));

        var withKey = baseIntegration with { Stock = baseIntegration.Stock with { WebhookHints = true, WebhookSecretName = "hintcheckVismaStockWebhook" } };
        Assert.DoesNotContain(IntegrationValidator.Problems(withKey, rules), p => p.StartsWith("Stock.", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("inventoryitem_changed", null, true)]
    [InlineData("Inventory Item Changed", null, true)]
    [InlineData("InventoryItem.Updated", null, true)]
    [InlineData("inventoryitem_created", null, true)]
    [InlineData("inventoryitem_actiontriggered", "api/v1/inventory/A1", false)]
    [InlineData("customer_changed", "api/v1/customer/10001", false)]
    [InlineData(null, "api/v1/inventory/ART1", true)]
    [InlineData(null, "https://api.finance.visma.net/v1/inventory/ART%201", true)]
    [InlineData(null, "api/v1/inventory/itemclass/APPAREL", false)]
    [InlineData(null, "api/v1/shipment/SH1", false)]
    public void Only_the_documented_Inventory_Item_events_are_stock_hints(string? eventName, string? resource, bool hint) =>
        Assert.Equal(hint, Junipeer.Functions.Shipments.VismaWebhookIntake.IsInventoryNotification(eventName, resource));

    /// <summary>Sandbox + local Functions host (virtual time, queues and timers off) + Azurite, one integration with stock on.</summary>
    private sealed class HintEnv : IAsyncDisposable
    {
        public required SandboxHost Sandbox { get; init; }
        public required LocalFunctionsHost Host { get; init; }
        public required Integration Integration { get; init; }
        public required string Secret { get; init; }
        public required VirtualTimeProvider Time { get; init; }
        public required DateTimeOffset Started { get; init; }
        public required ListLoggerProvider Logs { get; init; }
        public required HttpClient Http { get; init; }

        public string Tenant => Integration.Erp.VismaNet!.CompanyTenantId;

        public long SetStockCalls => Sandbox.State.Stats.Count("centra POST /graphql SetStock");

        public long InventoryReads => Sandbox.State.Stats.Count("visma GET /v1/inventory");

        public static async Task<HintEnv> StartAsync(AzuriteFixture azurite, bool hints)
        {
            var ct = Ct;
            var sandbox = await SandboxHost.StartAsync(new SandboxOptions { Port = 0 }, ct);
            var tenant = Guid.NewGuid().ToString();
            sandbox.State.Visma.CreateCompany(DemoScenario.Company(tenant));
            var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
            var id = "sh-" + Guid.NewGuid().ToString("N")[..10];
            var stockKey = IntegrationValidator.SecretScope(id) + "VismaStockWebhook";
            var time = new VirtualTimeProvider(DateTimeOffset.UtcNow);
            var logs = new ListLoggerProvider();
            var host = await LocalFunctionsHost.StartAsync(new LocalHostOptions
            {
                Port = 0,
                EnableQueues = false,
                EnableTimers = false,
                TimeProvider = time,
                MinimumLogLevel = LogLevel.Information,
                ConfigureLogging = b => b.AddProvider(logs),
                Settings = new Dictionary<string, string?>(FunctionCatalog.TimerSettingsOff())
                {
                    ["AzureWebJobsStorage"] = azurite.ConnectionString,
                    ["Junipeer:Storage:Prefix"] = "sh" + Guid.NewGuid().ToString("N")[..8],
                    ["Junipeer:TokenEncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
                    [IntegrationRules.AllowLoopbackHttpKey] = "true",
                    [$"Secrets:{DemoScenario.VismaSecretNameFor(id)}"] = DemoScenario.ClientSecret,
                    [$"Secrets:{DemoScenario.CentraTokenSecretNameFor(id)}"] = sandbox.Options.CentraToken,
                    [$"Secrets:{DemoScenario.WebhookSecretNameFor(id)}"] = "unused",
                    [$"Secrets:{stockKey}"] = secret,
                },
            }, ct);
            var integration = StockTestKit.WithStock(DemoScenario.Integration(sandbox.VismaApiBase, sandbox.VismaTokenUrl, sandbox.CentraGraphQlUrl, id, tenant));
            integration = integration with
            {
                Stock = integration.Stock with { WebhookHints = hints, WebhookSecretName = stockKey, HintDelaySeconds = 0 },
            };
            await host.Services.GetRequiredService<IIntegrationStore>().SaveAsync(integration, ct);
            return new HintEnv
            {
                Sandbox = sandbox, Host = host, Integration = integration, Secret = secret, Time = time, Started = time.GetUtcNow(), Logs = logs,
                Http = new HttpClient(),
            };
        }

        public void Seed(int count)
        {
            Sandbox.State.Visma.UpsertInventory(Tenant, [.. Enumerable.Range(1, count).Select(i => new VismaInventorySpec
            {
                InventoryNumber = StockTestKit.Number(i),
                Description = $"Shirt {i}",
                Attributes = new Dictionary<string, string> { ["VARIANT"] = "BLU", ["SIZE"] = i % 3 == 0 ? "S" : "M" },
                Available = new Dictionary<string, decimal> { ["MAIN"] = i },
            })]);
            Sandbox.State.Centra.AddWarehouses(StockTestKit.CentraMain);
            Sandbox.State.Centra.AddSizes([.. Enumerable.Range(1, count).Select(i => new CentraSizeSpec { Sku = StockTestKit.Sku(i), SizeNumber = i % 3 == 0 ? "S" : "M" })]);
        }

        public async Task MapAsync(int count)
        {
            await Host.Services.GetRequiredService<IMappingBulkStore>().SetManyAsync(Integration.Id, MappingKinds.Sku,
                [.. Enumerable.Range(1, count).Select(i => KeyValuePair.Create(StockTestKit.Number(i), StockTestKit.Sku(i)))], Ct);
            await Host.Services.GetRequiredService<IMappingStore>().SetAsync(Integration.Id, MappingKinds.SkuSettings, SkuMappingGuard.FingerprintKey,
                SkuComposer.Fingerprint(Integration.Sku), Ct);
        }

        /// <summary>Subscribes the company to Inventory Item notifications over the control plane, pointed at the host's Visma webhook.</summary>
        public async Task SubscribeAsync(double dropRate = 0, double duplicateRate = 0)
        {
            using var response = await Http.PutAsJsonAsync(new Uri(Sandbox.BaseUri, $"_sandbox/visma/{Tenant}/subscriptions/inventory"), new
            {
                targetUrl = new Uri(Host.BaseUri, $"api/webhooks/visma/{Integration.Id}").ToString(),
                secret = Secret,
                dropRate,
                duplicateRate,
                seed = 7,
            }, Ct);
            response.EnsureSuccessStatusCode();
        }

        /// <summary>A stock movement in Visma over the control plane; returns once its notification was delivered (flush).</summary>
        public async Task SetAvailableOverHttpAsync(int article, decimal available)
        {
            using var put = await Http.PutAsJsonAsync(new Uri(Sandbox.BaseUri, $"_sandbox/visma/{Tenant}/inventory/{StockTestKit.Number(article)}/available"),
                new { warehouse = "MAIN", available }, Ct);
            put.EnsureSuccessStatusCode();
            using var flush = await Http.PostAsync(new Uri(Sandbox.BaseUri, "_sandbox/visma/webhooks/inventory/flush"), null, Ct);
            flush.EnsureSuccessStatusCode();
        }

        public Task<HttpResponseMessage> PostSignedAsync(string body) => PostAsync(body, Secret);

        public async Task<HttpResponseMessage> PostAsync(string body, string key)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Host.BaseUri, $"api/webhooks/visma/{Integration.Id}"))
            {
                Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.TryAddWithoutValidation(VismaWebhookSender.SignatureHeader, VismaWebhookSender.Sign(key, body));
            return await Http.SendAsync(request, Ct);
        }

        public Task RunTimerAsync() =>
            ActivatorUtilities.CreateInstance<StockSyncFunction>(Host.Services).Run(new TimerInfo(), Ct);

        private Azure.Storage.Queues.QueueClient Queue => Host.Services.GetRequiredService<StorageClients>().Queue(StorageNames.StockHintsQueue);

        public async Task<int> QueueLengthAsync()
        {
            await Queue.CreateIfNotExistsAsync(cancellationToken: Ct);
            return (await Queue.PeekMessagesAsync(32, Ct)).Value.Length;
        }

        /// <summary>Plays the queue extension for stock-hints: takes every visible message, runs the handler (one by one, or the batch at once as the host does), deletes it.</summary>
        public async Task<List<StockHintOutcome>> DrainAsync(bool concurrently = false)
        {
            var handler = Host.Services.GetRequiredService<StockHintHandler>();
            var outcomes = new List<StockHintOutcome>();
            for (var round = 0; round < 20; round++)
            {
                var batch = (await Queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5), Ct)).Value;
                if (batch.Length == 0)
                {
                    break;
                }

                async Task<StockHintOutcome> One(Azure.Storage.Queues.Models.QueueMessage m)
                {
                    var outcome = await handler.HandleAsync(QueueWorkQueue.TryParse(m.MessageText)!, Ct);
                    await Queue.DeleteMessageAsync(m.MessageId, m.PopReceipt, Ct);
                    return outcome;
                }

                if (concurrently)
                {
                    outcomes.AddRange(await Task.WhenAll(batch.Select(One)));
                }
                else
                {
                    foreach (var m in batch)
                    {
                        outcomes.Add(await One(m));
                    }
                }
            }

            return outcomes;
        }

        public int CentraStock(int article) =>
            Sandbox.State.Centra.Sizes().Single(s => s.Sku == StockTestKit.Sku(article)).Stock.TryGetValue(StockTestKit.CentraMain, out var q) ? q : -1;

        public List<string> Divergent(int count)
        {
            var visma = Sandbox.State.Visma.InventoryItems(Tenant).ToDictionary(x => x.InventoryNumber);
            return [.. Enumerable.Range(1, count).Where(i => CentraStock(i) != (int)Math.Floor(visma[StockTestKit.Number(i)].Available["MAIN"]))
                .Select(i => StockTestKit.Sku(i).ToString(CultureInfo.InvariantCulture))];
        }

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await Host.DisposeAsync();
            await Sandbox.DisposeAsync();
            Logs.Dispose();
        }
    }
}
