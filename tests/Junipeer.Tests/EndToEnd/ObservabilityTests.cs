using Junipeer.Functions.Hosting;
using Junipeer.Tests.Infrastructure;
using Microsoft.ApplicationInsights;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Junipeer.Tests.EndToEnd;

public class ObservabilityTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Every_log_line_of_an_orders_processing_carries_its_correlation_id()
    {
        var logs = new ScopeCapturingLoggerProvider();
        await using var h = await EngineHarness.StartAsync(azurite, new HarnessOptions { Logs = logs });
        h.AddOrder(Junipeer.Sandbox.DemoData.SwedishOrder(8001));
        var body = EngineHarness.WebhookBody(8001);
        await h.PostWebhookAsync(body, h.Sign(body));
        logs.Records.Clear();

        await h.DrainAsync();

        var processing = logs.Records.Where(r => r.Category.StartsWith("Junipeer.", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(processing);
        Assert.Contains(processing, r => r.Category.Contains("VismaNet", StringComparison.Ordinal)); // connector lines are in scope too
        Assert.All(processing, r =>
        {
            Assert.True(r.Scope.TryGetValue("CorrelationId", out var id) && id is string s && s.StartsWith("wh-", StringComparison.Ordinal),
                $"no correlation id on: [{r.Category}] {r.Message}");
            Assert.Equal("8001", r.Scope["OrderNumber"]);
        });
        Assert.DoesNotContain(logs.Records, r => r.Message.Contains(Junipeer.Cli.Demo.DemoScenario.ClientSecret, StringComparison.Ordinal)
                                                 || r.Message.Contains(h.WebhookSecret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Application_Insights_is_wired_with_Information_logs_when_a_connection_string_is_set()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:9/";
        builder.AddJunipeerTelemetry();
        await using var sp = builder.Services.BuildServiceProvider();
        Assert.NotNull(sp.GetService<TelemetryClient>());
        var filters = sp.GetRequiredService<IOptions<LoggerFilterOptions>>().Value;
        Assert.DoesNotContain(filters.Rules, r => r.ProviderName == "Microsoft.Extensions.Logging.ApplicationInsights.ApplicationInsightsLoggerProvider" && r.LogLevel == LogLevel.Warning);

        var without = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        without.AddJunipeerTelemetry();
        await using var sp2 = without.Services.BuildServiceProvider();
        Assert.Null(sp2.GetService<TelemetryClient>());
    }
}
