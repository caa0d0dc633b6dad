using System.Net;
using System.Security.Cryptography;
using Junipeer.Cli.Demo;
using Junipeer.Cli.LocalHost;
using Junipeer.Core.Integrations;
using Junipeer.Sandbox;
using Junipeer.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Junipeer.Tests.EndToEnd;

/// <summary>The local host behind `junipeer run`: real Kestrel, queue pump from Azurite per host.json, timers.</summary>
public class LocalHostTests(AzuriteFixture azurite)
{
    [Fact]
    public void Discovers_the_function_classes_and_resolves_app_setting_schedules()
    {
        var config = new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>(FunctionCatalog.TimerSettingsOff()) { ["OrderSweepSchedule"] = "0 */5 * * * *", ["StockSyncSchedule"] = "0 */2 * * * *", ["CustomerSyncSchedule"] = "0 */5 * * * *", ["ShipmentSweepSchedule"] = "0 */5 * * * *", ["PayoutSweepSchedule"] = "0 0 * * * *" }).Build();
        var functions = FunctionCatalog.Discover(typeof(Junipeer.Functions.Orders.OrderSyncFunction).Assembly, config).ToDictionary(f => f.Name);

        Assert.Equal(TriggerKind.Http, functions["CentraWebhook"].Kind);
        Assert.Equal("api/webhooks/centra/{integrationId}", functions["CentraWebhook"].Target);
        Assert.Equal(["POST"], functions["CentraWebhook"].HttpMethods);
        Assert.Equal("orders", functions["OrderSync"].Target);
        Assert.Equal("orders-poison", functions["OrderPoison"].Target);
        Assert.Equal("0 */5 * * * *", functions["OrderSweep"].Target);
        Assert.Equal("api/webhooks/visma/{integrationId}", functions["VismaWebhook"].Target);
        Assert.Equal("shipments", functions["ShipmentSync"].Target);
        Assert.Equal("shipments-poison", functions["ShipmentPoison"].Target);
        Assert.Equal("0 */5 * * * *", functions["ShipmentSweep"].Target);
        Assert.Equal("api/webhooks/stripe/{integrationId}", functions["StripeWebhook"].Target);
        Assert.Equal("payouts", functions["PayoutSync"].Target);
        Assert.Equal("refunds", functions["RefundSync"].Target);
        Assert.Equal("refunds-poison", functions["RefundPoison"].Target);
        Assert.Equal("0 0 * * * *", functions["PayoutSweep"].Target);
    }

    [Fact]
    public void Timer_settings_off_covers_every_timer_trigger_so_a_host_starts_without_listing_them()
    {
        var off = FunctionCatalog.TimerSettingsOff();
        Assert.Contains("OrderSweepSchedule", off.Keys);
        Assert.Contains("PayoutSweepSchedule", off.Keys);
        Assert.All(off.Values, v => Assert.Equal(FunctionCatalog.NeverSchedule, v));

        // Every timer the catalogue discovers resolves from these settings alone.
        var config = new ConfigurationBuilder().AddInMemoryCollection(off).Build();
        var timers = FunctionCatalog.Discover(typeof(Junipeer.Functions.Orders.OrderSyncFunction).Assembly, config)
            .Where(f => f.Kind == TriggerKind.Timer).ToList();
        Assert.True(timers.Count >= 5, $"expected the five timers at least, found {timers.Count}");
        Assert.All(timers, t => Assert.Equal(FunctionCatalog.NeverSchedule, t.Target));
    }

    [Fact]
    public void Reads_the_queue_settings_from_the_repository_host_json()
    {
        var s = QueueHostSettings.Load(Path.Combine(Junipeer.Cli.Azurite.AzuriteRunner.RepositoryRoot(), "host.json"));
        Assert.Equal(4, s.BatchSize);
        Assert.Equal(5, s.MaxDequeueCount);
        Assert.Equal(TimeSpan.FromSeconds(30), s.VisibilityTimeout);
        Assert.True(s.Base64);
        Assert.Equal(16, QueueHostSettings.Load("/nonexistent/host.json").BatchSize); // Functions defaults
    }

    [Fact]
    public async Task Webhook_over_HTTP_and_the_timer_sweep_both_end_in_invoices()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var sandbox = await SandboxHost.StartAsync(new SandboxOptions { Port = 0 }, ct);
        var tenant = Guid.NewGuid().ToString();
        sandbox.State.Visma.CreateCompany(DemoScenario.Company(tenant));
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
        var id = "lh-" + Guid.NewGuid().ToString("N")[..10];
        await using var host = await LocalFunctionsHost.StartAsync(new LocalHostOptions
        {
            Port = 0,
            HostJsonPath = Path.Combine(Junipeer.Cli.Azurite.AzuriteRunner.RepositoryRoot(), "host.json"),
            Settings = new Dictionary<string, string?>(FunctionCatalog.TimerSettingsOff())
            {
                ["AzureWebJobsStorage"] = azurite.ConnectionString,
                ["Junipeer:Storage:Prefix"] = "lh" + Guid.NewGuid().ToString("N")[..8],
                ["OrderSweepSchedule"] = "*/2 * * * * *",
                ["Junipeer:TokenEncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
                [IntegrationRules.AllowLoopbackHttpKey] = "true", // the Sandbox runs on http://127.0.0.1
                [$"Secrets:{DemoScenario.VismaSecretNameFor(id)}"] = DemoScenario.ClientSecret,
                [$"Secrets:{DemoScenario.CentraTokenSecretNameFor(id)}"] = sandbox.Options.CentraToken,
                [$"Secrets:{DemoScenario.WebhookSecretNameFor(id)}"] = secret,
            },
        }, ct);
        var integration = DemoScenario.Integration(sandbox.VismaApiBase, sandbox.VismaTokenUrl, sandbox.CentraGraphQlUrl, id, tenant,
            sandbox.State.Clock.GetUtcNow() - TimeSpan.FromHours(1));
        await host.Services.GetRequiredService<IIntegrationStore>().SaveAsync(integration, ct);

        sandbox.State.Centra.AddOrder(DemoData.SwedishOrder(7001));
        var body = EngineHarness.WebhookBody(7001);
        var t = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(host.BaseUri, $"api/webhooks/centra/{integration.Id}"))
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.Add("X-Centra-Signature", $"t={t},v1={Junipeer.Sandbox.Centra.CentraSignature.Sign(secret, t, body)}");
        var response = await http.SendAsync(request, ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Contains("\"enqueued\":1", await response.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);

        var unsigned = await http.PostAsync(new Uri(host.BaseUri, $"api/webhooks/centra/{integration.Id}"), new StringContent(body), ct);
        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
        Assert.Contains("WEBHOOK_SIGNATURE_MISSING", await unsigned.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);

        // No webhook for this one: the timer-driven sweep must find it.
        sandbox.State.Centra.AddOrder(DemoData.SwedishOrder(7002));

        await Eventually.TrueAsync(() => sandbox.State.Visma.Invoices(tenant).Count == 2, TimeSpan.FromSeconds(60));
        Assert.Equal(["CENTRA-7001", "CENTRA-7002"], sandbox.State.Visma.Invoices(tenant).Select(i => i.CustomerRefNumber).Order(StringComparer.Ordinal));
        ContractAssert.NoVismaViolations(sandbox.State);
    }
}
