using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Storage.Queues.Models;
using Junipeer.Cli.Demo;
using Junipeer.Core.Integrations;
using Junipeer.Core.Sync;
using Junipeer.Functions.Orders;
using Junipeer.Functions.Hosting;
using Junipeer.Sandbox;
using Junipeer.Sandbox.Centra;
using Junipeer.Sandbox.Visma;
using Junipeer.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Junipeer.Tests.Infrastructure;

public sealed record HarnessOptions
{
    public TimeProvider? EngineTime { get; init; }

    /// <summary>The Sandbox's clock (vendor timestamps, token expiry); default: the system clock.</summary>
    public TimeProvider? SandboxTime { get; init; }
    public Func<VismaCompanySpec, VismaCompanySpec>? Company { get; init; }
    public Func<Integration, Integration>? Integration { get; init; }
    public Dictionary<string, string?> Settings { get; init; } = [];
    public int MaxDequeueCount { get; init; } = 5;
    public ILoggerProvider? Logs { get; init; }

    /// <summary>Seed a storage epoch a day old (default); false starts as if storage were new or lost.</summary>
    public bool EstablishedStorage { get; init; } = true;
    /// <summary>The integration id (default: a fresh "it-…"); secret names derive from it.</summary>
    public string? Id { get; init; }

    /// <summary>Last word on the services, e.g. a fault-injecting decorator around a real one.</summary>
    public Action<IServiceCollection>? Services { get; init; }
}

public sealed record WebhookResponse(int Status, JsonElement Body)
{
    public string? Code => Body.TryGetProperty("code", out var c) ? c.GetString() : null;
}

/// <summary>
/// Real parts for integration tests: the Sandbox on loopback, Azurite, and the engine wired with
/// the production registration (<see cref="JunipeerRegistration.AddJunipeer"/>). Function classes
/// are invoked directly; <see cref="DrainAsync"/> plays the queue extension's role synchronously
/// (delete on success, redeliver on failure, poison after maxDequeueCount) so tests stay
/// deterministic without waiting for polling.
/// </summary>
public sealed class EngineHarness : IAsyncDisposable
{
    private readonly IHost _host;

    private EngineHarness(SandboxHost sandbox, IHost host, Integration integration, string webhookSecret, string prefix, int maxDequeue)
    {
        Sandbox = sandbox;
        _host = host;
        Integration = integration;
        WebhookSecret = webhookSecret;
        Prefix = prefix;
        MaxDequeueCount = maxDequeue;
    }

    public SandboxHost Sandbox { get; }
    public Integration Integration { get; }
    public string WebhookSecret { get; }
    public string Prefix { get; }
    public int MaxDequeueCount { get; }
    public IServiceProvider Services => _host.Services;
    public string Tenant => Integration.Erp.VismaNet!.CompanyTenantId;
    public IReadOnlyList<VismaInvoiceSnapshot> Invoices => Sandbox.State.Visma.Invoices(Tenant);
    public IReadOnlyList<VismaCustomerSnapshot> Customers => Sandbox.State.Visma.Customers(Tenant);
    public IReadOnlyList<VismaPaymentSnapshot> Payments => Sandbox.State.Visma.Payments(Tenant);
    public long VismaCalls => Sandbox.State.Stats.CountPrefix("visma ");

    public static async Task<EngineHarness> StartAsync(AzuriteFixture azurite, HarnessOptions? options = null)
    {
        options ??= new HarnessOptions();
        var sandbox = await SandboxHost.StartAsync(new SandboxOptions { Port = 0, TimeProvider = options.SandboxTime ?? TimeProvider.System }, TestContext.Current.CancellationToken);
        var tenant = Guid.NewGuid().ToString();
        var company = DemoScenario.Company(tenant);
        sandbox.State.Visma.CreateCompany(options.Company?.Invoke(company) ?? company);

        var id = options.Id ?? NewId();
        var integration = DemoScenario.Integration(sandbox.VismaApiBase, sandbox.VismaTokenUrl, sandbox.CentraGraphQlUrl, id, tenant,
            syncFrom: sandbox.State.Clock.GetUtcNow() - TimeSpan.FromDays(1));
        integration = options.Integration?.Invoke(integration) ?? integration;
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
        var prefix = "t" + Guid.NewGuid().ToString("N")[..10];

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Junipeer:Storage:Prefix"] = prefix,
            ["OrderSweepSchedule"] = "0 */5 * * * *",
            ["StockSyncSchedule"] = "0 */2 * * * *",
            ["CustomerSyncSchedule"] = "0 */5 * * * *",
            ["Junipeer:TokenEncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            [IntegrationRules.AllowLoopbackHttpKey] = "true", // the Sandbox runs on http://127.0.0.1
            [$"Secrets:{DemoScenario.VismaSecretNameFor(id)}"] = DemoScenario.ClientSecret,
            [$"Secrets:{DemoScenario.CentraTokenSecretNameFor(id)}"] = sandbox.Options.CentraToken,
            [$"Secrets:{DemoScenario.WebhookSecretNameFor(id)}"] = secret,
        });
        builder.Configuration.AddInMemoryCollection(options.Settings);
        builder.Logging.SetMinimumLevel(options.Logs is null ? LogLevel.Warning : LogLevel.Debug);
        if (options.Logs is not null)
        {
            builder.Logging.AddProvider(options.Logs);
        }

        if (options.EngineTime is not null)
        {
            builder.Services.Replace(ServiceDescriptor.Singleton(options.EngineTime));
        }

        builder.AddJunipeer();
        options.Services?.Invoke(builder.Services);
        var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken); // runs ValidateOnStart
        await host.Services.GetRequiredService<IIntegrationStore>().SaveAsync(integration, TestContext.Current.CancellationToken);
        if (options.EstablishedStorage)
        {
            // Storage that has been in use for a day (not just created or lost): the recent-invoice
            // index may vouch for new ledger rows at once. Tests about lost storage switch this off.
            var now = (options.EngineTime ?? TimeProvider.System).GetUtcNow();
            await Junipeer.Core.Sync.StorageEpoch.SetAsync(host.Services.GetRequiredService<ISyncLedger>(), integration.Id, now.AddDays(-1), TestContext.Current.CancellationToken);
        }

        return new EngineHarness(sandbox, host, integration, secret, prefix, options.MaxDequeueCount);
    }

    public static string NewId() => "it-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>A secret name in the integration's namespace (see IntegrationValidator.SecretScope).</summary>
    public static string SecretName(string integrationId, string purpose) => IntegrationValidator.SecretScope(integrationId) + purpose;

    public T Function<T>() where T : class => ActivatorUtilities.CreateInstance<T>(Services);

    public CentraOrderSnapshot AddOrder(CentraOrderSpec spec) => Sandbox.State.Centra.AddOrder(spec);

    public static string WebhookBody(params int[] orderNumbers) => WebhookBody("insert", orderNumbers);

    public static string WebhookBody(string action, params int[] orderNumbers)
    {
        var events = orderNumbers.Select(n => new { type = "order", action, date = "2026-05-04 10:15:22.113000", id = n });
        return "payload=" + Uri.EscapeDataString(JsonSerializer.Serialize(new { events }));
    }

    public string Sign(string body, DateTimeOffset? at = null, string? secret = null)
    {
        var t = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();
        return $"t={t},v1={CentraSignature.Sign(secret ?? WebhookSecret, t, body)}";
    }

    /// <summary>Calls the webhook function class with an ASP.NET Core request, as the Functions host would.</summary>
    public async Task<WebhookResponse> PostWebhookAsync(string body, string? signature, string? integrationId = null)
    {
        var ctx = new DefaultHttpContext { RequestServices = Services };
        ctx.Request.Method = "POST";
        ctx.Request.ContentType = "application/x-www-form-urlencoded";
        var bytes = Encoding.UTF8.GetBytes(body);
        ctx.Request.Body = new MemoryStream(bytes);
        ctx.Request.ContentLength = bytes.Length;
        if (signature is not null)
        {
            ctx.Request.Headers["X-Centra-Signature"] = signature;
        }

        var result = await Function<CentraWebhookFunction>().Run(ctx.Request, integrationId ?? Integration.Id, TestContext.Current.CancellationToken);
        var obj = Assert.IsType<ObjectResult>(result);
        return new WebhookResponse(obj.StatusCode ?? 200, JsonSerializer.SerializeToElement(obj.Value, Junipeer.Core.JunipeerJson.Options));
    }

    public Azure.Storage.Queues.QueueClient Queue(string name) => Services.GetRequiredService<StorageClients>().Queue(name);

    public async Task<int> QueueLengthAsync(string name)
    {
        var q = Queue(name);
        await q.CreateIfNotExistsAsync(cancellationToken: TestContext.Current.CancellationToken);
        var peeked = await q.PeekMessagesAsync(32, TestContext.Current.CancellationToken);
        return peeked.Value.Length;
    }

    public Task SweepAsync() => Function<OrderSweepFunction>().Run(new TimerInfo(), TestContext.Current.CancellationToken);

    /// <summary>
    /// Processes the orders queue until it is empty: success deletes; failure makes the message
    /// visible again (no wait) or, at maxDequeueCount, copies the body to orders-poison and runs
    /// the poison function. Returns the number of invocations.
    /// </summary>
    public async Task<int> DrainAsync(Action<int>? beforeAttempt = null)
    {
        var ct = TestContext.Current.CancellationToken;
        var queue = Queue(StorageNames.OrdersQueue);
        await queue.CreateIfNotExistsAsync(cancellationToken: ct);
        var invocations = 0;
        for (var round = 0; round < 200; round++)
        {
            await FanOutIntakeAsync();
            var batch = (await queue.ReceiveMessagesAsync(16, TimeSpan.FromMinutes(5), ct)).Value;
            if (batch.Length == 0)
            {
                break;
            }

            foreach (var m in batch)
            {
                beforeAttempt?.Invoke(invocations);
                invocations++;
                try
                {
                    await Function<OrderSyncFunction>().Run(m.MessageText, ct);
                    await queue.DeleteMessageAsync(m.MessageId, m.PopReceipt, ct);
                }
                catch (Exception) when (m.DequeueCount >= MaxDequeueCount)
                {
                    await queue.DeleteMessageAsync(m.MessageId, m.PopReceipt, ct);
                    await Function<OrderPoisonFunction>().Run(m.MessageText, ct);
                }
                catch (Exception)
                {
                    await queue.UpdateMessageAsync(m.MessageId, m.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: ct);
                }
            }
        }

        return invocations;
    }

    /// <summary>
    /// Plays the queue extension for queue "intake" (webhooks group-committed together): runs the
    /// IntakeFanOut function on every message and deletes it. Returns the number of batches.
    /// </summary>
    public async Task<int> FanOutIntakeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var intake = Queue(StorageNames.IntakeQueue);
        await intake.CreateIfNotExistsAsync(cancellationToken: ct);
        var batches = 0;
        while ((await intake.ReceiveMessagesAsync(16, TimeSpan.FromMinutes(5), ct)).Value is { Length: > 0 } messages)
        {
            foreach (var m in messages)
            {
                await Function<Junipeer.Functions.Webhooks.IntakeFanOutFunction>().Run(m.MessageText, ct);
                await intake.DeleteMessageAsync(m.MessageId, m.PopReceipt, ct);
                batches++;
            }
        }

        return batches;
    }

    /// <summary>
    /// Loses all storage as a wiped account would (every table and queue of this harness), then
    /// saves the integration again, as an operator restoring the settings would.
    /// </summary>
    public async Task WipeStorageAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var clients = Services.GetRequiredService<StorageClients>();
        foreach (var table in new[] { StorageNames.Integrations, StorageNames.Ledger, StorageNames.Checkpoints, StorageNames.Inbox, StorageNames.Mappings, StorageNames.Events, StorageNames.Tokens })
        {
            var client = clients.Table(table);
            await client.CreateIfNotExistsAsync(ct);
            await foreach (var e in client.QueryAsync<Azure.Data.Tables.TableEntity>(select: ["PartitionKey", "RowKey"], cancellationToken: ct))
                await client.DeleteEntityAsync(e.PartitionKey, e.RowKey, Azure.ETag.All, ct);
        }

        foreach (var queue in new[] { StorageNames.OrdersQueue, StorageNames.OrdersPoisonQueue, StorageNames.IntakeQueue })
        {
            await clients.Queue(queue).CreateIfNotExistsAsync(cancellationToken: ct);
            await clients.Queue(queue).ClearMessagesAsync(ct);
        }

        await Services.GetRequiredService<IIntegrationStore>().SaveAsync(Integration, ct);
    }

    /// <summary>Deletes every row of the ledger table only (the integration stays): a lost ledger.</summary>
    public async Task WipeLedgerAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var client = Services.GetRequiredService<StorageClients>().Table(StorageNames.Ledger);
        await foreach (var e in client.QueryAsync<Azure.Data.Tables.TableEntity>(select: ["PartitionKey", "RowKey"], cancellationToken: ct))
            await client.DeleteEntityAsync(e.PartitionKey, e.RowKey, Azure.ETag.All, ct);
    }

    /// <summary>Runs the order handler once for an order, as one queue delivery would.</summary>
    public Task<Junipeer.Core.Orders.SyncResult> HandleAsync(int orderNumber, string invocationId = "test", int requeues = 0) =>
        Services.GetRequiredService<Junipeer.Core.Orders.OrderSyncHandler>().HandleAsync(
            WorkItem.ForOrder(Integration.Id, orderNumber.ToString(System.Globalization.CultureInfo.InvariantCulture), WorkReasons.Replay, $"{invocationId}-{orderNumber}", DateTimeOffset.UtcNow) with { Requeues = requeues },
            invocationId, TestContext.Current.CancellationToken);

    public Task<LedgerEntry?> LedgerAsync(int orderNumber) =>
        Services.GetRequiredService<ISyncLedger>().GetAsync(new LedgerKey(Integration.Id, Flows.Orders, orderNumber.ToString(System.Globalization.CultureInfo.InvariantCulture)), TestContext.Current.CancellationToken);

    public Task<IReadOnlyList<OperatorEvent>> EventsAsync() => Services.GetRequiredService<IEventLog>().ListAsync(Integration.Id, 100, TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        try
        {
            // Every request the engine sent during the test must be on Visma's published contract.
            ContractAssert.NoVismaViolations(Sandbox.State);
        }
        finally
        {
            await _host.StopAsync();
            _host.Dispose();
            await Sandbox.DisposeAsync();
        }
    }
}
