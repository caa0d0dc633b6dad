using System.Net;
using System.Security.Cryptography;
using Junipeer.Cli.Demo;
using Junipeer.Cli.LocalHost;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Sync;
using Junipeer.Sandbox;
using Junipeer.Tests.Infrastructure;
using Junipeer.Tests.Operations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Junipeer.Tests.Console;

/// <summary>
/// The operator console in a real headless Chromium (Debian package, driven by Playwright), served by the
/// local Functions host over real HTTP, with Azurite and the Sandbox: sign in, see the failed order with its
/// code and fix, fix the mapping, press Retry, see it succeed. And: nothing answers without sign-in.
/// </summary>
public class ConsoleBrowserTests(AzuriteFixture azurite)
{
    public const string Chromium = "/usr/bin/chromium";

    private sealed record Running(SandboxHost Sandbox, LocalFunctionsHost Host, Integration Integration, string WebhookSecret, string AdminSecret) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Host.DisposeAsync();
            await Sandbox.DisposeAsync();
        }
    }

    private async Task<Running> StartAsync(CancellationToken ct)
    {
        var sandbox = await SandboxHost.StartAsync(new SandboxOptions { Port = 0 }, ct);
        var tenant = Guid.NewGuid().ToString();
        sandbox.State.Visma.CreateCompany(DemoScenario.Company(tenant));
        var webhookSecret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
        var adminSecret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
        var id = "con-" + Guid.NewGuid().ToString("N")[..10];
        var host = await LocalFunctionsHost.StartAsync(new LocalHostOptions
        {
            Port = 0,
            HostJsonPath = Path.Combine(Junipeer.Cli.Azurite.AzuriteRunner.RepositoryRoot(), "host.json"),
            EnableTimers = false,
            Settings = new Dictionary<string, string?>(FunctionCatalog.TimerSettingsOff())
            {
                ["AzureWebJobsStorage"] = azurite.ConnectionString,
                ["Junipeer:Storage:Prefix"] = "con" + Guid.NewGuid().ToString("N")[..8],
                ["Junipeer:TokenEncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
                ["Junipeer:Console:AdminSecret"] = adminSecret,
                [IntegrationRules.AllowLoopbackHttpKey] = "true", // the Sandbox runs on http://127.0.0.1
                [$"Secrets:{DemoScenario.VismaSecretNameFor(id)}"] = DemoScenario.ClientSecret,
                [$"Secrets:{DemoScenario.CentraTokenSecretNameFor(id)}"] = sandbox.Options.CentraToken,
                [$"Secrets:{DemoScenario.WebhookSecretNameFor(id)}"] = webhookSecret,
            },
        }, ct);
        var integration = OperationsServiceTests.WithoutGermany(DemoScenario.Integration(sandbox.VismaApiBase, sandbox.VismaTokenUrl, sandbox.CentraGraphQlUrl, id, tenant,
            sandbox.State.Clock.GetUtcNow() - TimeSpan.FromHours(1)));
        await host.Services.GetRequiredService<IIntegrationStore>().SaveAsync(integration, ct);
        await StorageEpoch.SetAsync(host.Services.GetRequiredService<ISyncLedger>(), id, DateTimeOffset.UtcNow.AddDays(-1), ct);
        return new Running(sandbox, host, integration, webhookSecret, adminSecret);
    }

    private static async Task PostWebhookAsync(Running r, CancellationToken ct, params int[] orders)
    {
        var body = EngineHarness.WebhookBody(orders);
        var t = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(r.Host.BaseUri, $"api/webhooks/centra/{r.Integration.Id}"))
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.Add("X-Centra-Signature", $"t={t},v1={Junipeer.Sandbox.Centra.CentraSignature.Sign(r.WebhookSecret, t, body)}");
        Assert.Equal(HttpStatusCode.Accepted, (await http.SendAsync(request, ct)).StatusCode);
    }

    private static Task<LedgerEntry?> RowAsync(Running r, string key) =>
        r.Host.Services.GetRequiredService<ISyncLedger>().GetAsync(new LedgerKey(r.Integration.Id, Flows.Orders, key), TestContext.Current.CancellationToken);

    [Fact]
    public async Task Operator_signs_in_runs_preflight_sees_the_failed_order_with_its_fix_fixes_the_mapping_presses_Retry_and_sees_it_succeed()
    {
        var ct = TestContext.Current.CancellationToken;
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install -y chromium (.ci/run installs it)");
        await using var r = await StartAsync(ct);
        r.Sandbox.State.Centra.AddOrder(DemoData.SwedishOrder(8501));
        r.Sandbox.State.Centra.AddOrder(OperationsServiceTests.German(8502));
        await PostWebhookAsync(r, ct, 8501, 8502);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!((await RowAsync(r, "8502"))?.Status == LedgerStatus.Failed && (await RowAsync(r, "8501"))?.Status == LedgerStatus.Done))
        {
            Assert.True(DateTime.UtcNow < deadline, "the orders were not processed by the local host's queue pump within 60 s");
            await Task.Delay(200, ct); // polling real background work (the queue pump), not a logic wait
        }

        using var pw = await Playwright.CreateAsync();
        await using var browser = await pw.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
        var page = await browser.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        var console = new Uri(r.Host.BaseUri, "api/console").ToString();

        // Not signed in: the page answers 401 with the code and the sign-in form.
        var first = await page.GotoAsync(console);
        Assert.Equal(401, first!.Status);
        Assert.Equal(ErrorCodes.ConsoleUnauthorized, await page.Locator("#denied").GetAttributeAsync("data-code"));
        await page.FillAsync("#secret", "wrong-secret-of-some-length");
        await page.ClickAsync("#signin");
        await Assertions.Expect(page.Locator("#denied")).ToContainTextAsync("Wrong admin secret");
        await page.FillAsync("#secret", r.AdminSecret);
        await page.ClickAsync("#signin");

        // The failed order with its code, message and the catalogue's cause and fix; the invoiced one is not listed.
        var row = page.Locator("#failed tr[data-entity='8502']");
        await Assertions.Expect(row.Locator(".code")).ToHaveTextAsync(ErrorCodes.OssCountryTaxMappingMissing, new() { Timeout = 30_000 });
        var catalogue = ErrorCodes.Get(ErrorCodes.OssCountryTaxMappingMissing);
        await Assertions.Expect(row.Locator(".fix")).ToHaveTextAsync(catalogue.Fix);
        await Assertions.Expect(row.Locator(".cause")).ToHaveTextAsync(catalogue.Cause);
        await Assertions.Expect(row.Locator(".message")).ToContainTextAsync("DE");
        await Assertions.Expect(page.Locator("#failed tr[data-entity='8501']")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#flows tr[data-flow='orders'] .done")).ToHaveTextAsync("1");
        await Assertions.Expect(page.Locator("#flows tr[data-flow='orders'] svg rect.failed")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#events")).ToContainTextAsync(ErrorCodes.OssCountryTaxMappingMissing);

        // Every flow has its panel row (shipments, payouts … even before their first entity).
        foreach (var flow in new[] { "orders", "shipments", "payouts" })
            await Assertions.Expect(page.Locator($"#flows tr[data-flow='{flow}']")).ToHaveCountAsync(1);

        // Connection status per system, from real signals: the invoiced order proves both.
        await Assertions.Expect(page.Locator("#connections tr[data-system='vismanet'] .status")).ToHaveTextAsync("connected");
        await Assertions.Expect(page.Locator("#connections tr[data-system='centra'] .status")).ToHaveTextAsync("connected");

        // Preflight from the console: the same runner as `junipeer preflight`, read-only; the missing German
        // OSS mapping is a failure with its code and fix before anyone retries.
        await page.ClickAsync("#run-preflight");
        var de = page.Locator("#preflight tr[data-check='VAT OSS DE']");
        await Assertions.Expect(de).ToHaveClassAsync("fail", new() { Timeout = 30_000 });
        await Assertions.Expect(de.Locator(".code")).ToHaveTextAsync(ErrorCodes.OssCountryTaxMappingMissing);
        await Assertions.Expect(de.Locator(".fix")).ToContainTextAsync("Vat.Countries.DE");
        await Assertions.Expect(page.Locator("#preflight tr.pass").First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#preflight-summary")).ToContainTextAsync(ErrorCodes.OssCountryTaxMappingMissing);

        // The operator fixes the mapping (integration settings), then presses Retry.
        await r.Host.Services.GetRequiredService<IIntegrationStore>().SaveAsync(OperationsServiceTests.WithGermany(r.Integration), ct);
        await row.Locator("button.retry").ClickAsync();
        await Assertions.Expect(page.Locator("#notice")).ToContainTextAsync("orders 8502: Done", new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#no-failures")).ToBeVisibleAsync(new() { Timeout = 15_000 });

        // Preflight again: Germany passes now.
        await page.ClickAsync("#run-preflight");
        await Assertions.Expect(page.Locator("#preflight tr[data-check='VAT OSS DE']")).ToHaveClassAsync("pass", new() { Timeout = 30_000 });
        Assert.Equal(["CENTRA-8501", "CENTRA-8502"], r.Sandbox.State.Visma.Invoices(r.Integration.Erp.VismaNet!.CompanyTenantId).Select(i => i.CustomerRefNumber).Order(StringComparer.Ordinal));
        Assert.Empty(errors);
        ContractAssert.NoVismaViolations(r.Sandbox.State);
    }

    [Fact]
    public async Task The_shadow_view_shows_what_each_flow_would_book_with_the_failures_to_fix_first()
    {
        var ct = TestContext.Current.CancellationToken;
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install -y chromium (.ci/run installs it)");
        await using var r = await StartAsync(ct);
        await r.Host.Services.GetRequiredService<IIntegrationStore>().SaveAsync(r.Integration with { Mode = IntegrationMode.Shadow }, ct);
        r.Sandbox.State.Centra.AddOrder(DemoData.SwedishOrder(8601));
        r.Sandbox.State.Centra.AddOrder(OperationsServiceTests.German(8602));
        await PostWebhookAsync(r, ct, 8601, 8602);
        var shadow = r.Host.Services.GetRequiredService<Junipeer.Core.Shadow.ShadowService>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await shadow.QueryAsync(r.Integration.Id, null, null, ct)).Count < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "the orders were not shadowed by the local host's queue pump within 60 s");
            await Task.Delay(200, ct); // polling real background work (the queue pump), not a logic wait
        }

        using var pw = await Playwright.CreateAsync();
        await using var browser = await pw.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
        var page = await browser.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync(new Uri(r.Host.BaseUri, "api/console").ToString());
        await page.FillAsync("#secret", r.AdminSecret);
        await page.ClickAsync("#signin");

        // Failures to fix first, with the catalogue's fix; then the orders flow's records with what they would book.
        var failure = page.Locator($"#shadow-failures tr[data-code='{ErrorCodes.OssCountryTaxMappingMissing}']");
        await Assertions.Expect(failure.Locator(".entities")).ToHaveTextAsync("8602", new() { Timeout = 30_000 });
        await Assertions.Expect(failure.Locator(".fix")).ToHaveTextAsync(ErrorCodes.Get(ErrorCodes.OssCountryTaxMappingMissing).Fix);
        var orders = page.Locator("#shadow-flows table[data-flow='orders']");
        await Assertions.Expect(orders.Locator("tr[data-entity='8601'] .outcome")).ToHaveTextAsync("WouldBook");
        await Assertions.Expect(orders.Locator("tr[data-entity='8601'] .would")).ToContainTextAsync("invoice CENTRA-8601");
        await Assertions.Expect(orders.Locator("tr[data-entity='8602'] .outcome")).ToHaveTextAsync("Failed");
        await Assertions.Expect(page.Locator("#shadow-summary")).ToContainTextAsync("Mode Shadow: 1 would book");
        Assert.Empty(r.Sandbox.State.Visma.Invoices(r.Integration.Erp.VismaNet!.CompanyTenantId));
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Every_console_route_answers_401_with_a_code_without_sign_in_and_POSTs_need_the_anti_forgery_header()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var r = await StartAsync(ct);
        var routes = r.Host.Functions.Where(f => f.Kind == TriggerKind.Http && f.Target.StartsWith("api/console", StringComparison.Ordinal)).ToList();
        Assert.True(routes.Count >= 13, $"only {routes.Count} console routes found");
        using var anonymous = new HttpClient();
        foreach (var f in routes)
        {
            var path = f.Target.Replace("{integrationId}", r.Integration.Id, StringComparison.Ordinal);
            foreach (var method in f.HttpMethods)
            {
                foreach (var auth in new string?[] { null, "Bearer not-the-admin-secret", "Basic YWRtaW46YWRtaW4=" })
                {
                    using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(r.Host.BaseUri, path + "?flow=orders&key=1"))
                    {
                        Content = method == "POST" ? new StringContent("{\"flow\":\"orders\",\"key\":\"1\",\"from\":\"2026-01-01\",\"secret\":\"x\"}", System.Text.Encoding.UTF8, "application/json") : null,
                    };
                    if (auth is not null)
                    {
                        request.Headers.TryAddWithoutValidation("Authorization", auth);
                    }

                    request.Headers.TryAddWithoutValidation("Cookie", "junipeer_console=9999999999.00.forged");
                    var response = await anonymous.SendAsync(request, ct);
                    Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} ({auth ?? "no auth"}) answered {(int)response.StatusCode}");
                    Assert.Contains(ErrorCodes.ConsoleUnauthorized, await response.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
                }
            }
        }

        // Signed in with the cookie: a POST without the header is refused (403), with it accepted.
        var cookies = new CookieContainer();
        using var browserLike = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false });
        var signIn = await browserLike.PostAsync(new Uri(r.Host.BaseUri, "api/console/signin"), new FormUrlEncodedContent(new Dictionary<string, string> { ["secret"] = r.AdminSecret }), ct);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var setCookie = Assert.Single(signIn.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(r.AdminSecret, setCookie, StringComparison.Ordinal);
        var retryUri = new Uri(r.Host.BaseUri, $"api/console/api/integrations/{r.Integration.Id}/retry-failed");
        var forged = await browserLike.PostAsync(retryUri, new StringContent("{\"flow\":\"orders\"}", System.Text.Encoding.UTF8, "application/json"), ct);
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Contains(ErrorCodes.ConsoleCsrfInvalid, await forged.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        var session = System.Text.Json.JsonDocument.Parse(await browserLike.GetStringAsync(new Uri(r.Host.BaseUri, "api/console/api/session"), ct)).RootElement;
        using var withToken = new HttpRequestMessage(HttpMethod.Post, retryUri) { Content = new StringContent("{\"flow\":\"orders\"}", System.Text.Encoding.UTF8, "application/json") };
        withToken.Headers.Add("X-Junipeer-Csrf", session.GetProperty("csrf").GetString());
        Assert.Equal(HttpStatusCode.OK, (await browserLike.SendAsync(withToken, ct)).StatusCode);

        // Scripts: the admin secret as bearer token, no cookie, no anti-forgery header needed; bad input gets its code.
        using var script = new HttpClient();
        script.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", r.AdminSecret);
        var overview = await script.GetAsync(new Uri(r.Host.BaseUri, $"api/console/api/integrations/{r.Integration.Id}?days=3"), ct);
        Assert.Equal(HttpStatusCode.OK, overview.StatusCode);
        Assert.Contains("\"flow\":\"orders\"", await overview.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        var unknown = await script.GetAsync(new Uri(r.Host.BaseUri, "api/console/api/integrations/nope-nope"), ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains(ErrorCodes.IntegrationNotFound, await unknown.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        var badDate = await script.PostAsync(new Uri(r.Host.BaseUri, $"api/console/api/integrations/{r.Integration.Id}/backfill"),
            new StringContent("{\"flow\":\"orders\",\"from\":\"yesterday\"}", System.Text.Encoding.UTF8, "application/json"), ct);
        Assert.Equal(HttpStatusCode.BadRequest, badDate.StatusCode);
        Assert.Contains(ErrorCodes.OperationRequestInvalid, await badDate.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
    }
}
