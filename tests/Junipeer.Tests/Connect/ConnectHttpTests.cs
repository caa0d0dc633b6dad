using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Junipeer.Cli.Demo;
using Junipeer.Cli.LocalHost;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Sandbox;
using Junipeer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Junipeer.Tests.Connect;

/// <summary>The two HTTP functions over real HTTP: browser → connect → Visma Connect (Sandbox) → callback.</summary>
public class ConnectHttpTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task The_browser_round_trip_connects_and_a_replayed_callback_is_refused()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var sandbox = await SandboxHost.StartAsync(new SandboxOptions { Port = 0 }, ct);
        var tenant = Guid.NewGuid().ToString();
        sandbox.State.Visma.CreateCompany(DemoScenario.Company(tenant));
        var id = "oa-" + Guid.NewGuid().ToString("N")[..10];
        await using var host = await LocalFunctionsHost.StartAsync(new LocalHostOptions
        {
            Port = 0,
            EnableQueues = false,
            EnableTimers = false,
            MinimumLogLevel = LogLevel.Warning,
            Settings = new Dictionary<string, string?>(FunctionCatalog.TimerSettingsOff())
            {
                ["AzureWebJobsStorage"] = azurite.ConnectionString,
                ["Junipeer:Storage:Prefix"] = "oa" + Guid.NewGuid().ToString("N")[..8],
                ["Junipeer:TokenEncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
                [IntegrationRules.AllowLoopbackHttpKey] = "true",
                [$"Secrets:{DemoScenario.VismaSecretNameFor(id)}"] = DemoScenario.ClientSecret,
                [$"Secrets:{DemoScenario.CentraTokenSecretNameFor(id)}"] = sandbox.Options.CentraToken,
                [$"Secrets:{DemoScenario.WebhookSecretNameFor(id)}"] = "whsec",
            },
        }, ct);
        var integration = DemoScenario.Integration(sandbox.VismaApiBase, sandbox.VismaTokenUrl, sandbox.CentraGraphQlUrl, id, tenant);
        integration = integration with
        {
            Erp = integration.Erp with
            {
                VismaNet = integration.Erp.VismaNet! with
                {
                    Auth = VismaAuthMode.Interactive, CompanyTenantId = "", AuthorizeUrl = new Uri(sandbox.BaseUri, "visma-connect/connect/authorize").ToString(),
                },
            },
        };
        var store = host.Services.GetRequiredService<IIntegrationStore>();
        await store.SaveAsync(integration, ct);
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });

        using var start = await http.GetAsync(new Uri(host.BaseUri, $"api/connect/vismanet/{id}"), ct);
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        var authorize = start.Headers.Location!.ToString();
        Assert.StartsWith(new Uri(sandbox.BaseUri, "visma-connect/connect/authorize").ToString(), authorize, StringComparison.Ordinal);
        Assert.Contains(Uri.EscapeDataString(new Uri(host.BaseUri, "api/oauth/callback/vismanet").ToString()), authorize, StringComparison.Ordinal);

        using var chosen = await http.GetAsync(authorize + "&tenant_id=" + tenant, ct);
        Assert.Equal(HttpStatusCode.Redirect, chosen.StatusCode);
        var callback = chosen.Headers.Location!;
        using var done = await http.GetAsync(callback, ct);
        var body = await done.Content.ReadAsStringAsync(ct);
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        using (var doc = JsonDocument.Parse(body))
            Assert.Equal(tenant, doc.RootElement.GetProperty("company").GetString());
        Assert.DoesNotContain("sbx.", body, StringComparison.Ordinal);
        Assert.Equal(tenant, (await store.GetAsync(id, ct))!.Erp.VismaNet!.CompanyTenantId);

        using var again = await http.GetAsync(callback, ct);
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Contains(ErrorCodes.OAuthStateInvalid, await again.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);

        using var unknown = await http.GetAsync(new Uri(host.BaseUri, "api/connect/vismanet/no-such-integration"), ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains(ErrorCodes.IntegrationNotFound, await unknown.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
    }
}
