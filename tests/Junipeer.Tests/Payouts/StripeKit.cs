using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Junipeer.Cli.Demo;
using Junipeer.Core.Integrations;
using Junipeer.Core.Payouts;
using Junipeer.Core.Sync;
using Junipeer.Functions.Payouts;
using Junipeer.Sandbox;
using Junipeer.Sandbox.Stripe;
using Junipeer.Sandbox.Visma;
using Junipeer.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace Junipeer.Tests.Payouts;

/// <summary>
/// The engine (AddJunipeer, Azurite) with the payouts flow pointed at the Sandbox's Stripe emulator over
/// real HTTP: API key and webhook secret in the integration's secret namespace, provider prefix "NT-".
/// Payouts are seeded through the Sandbox control plane (HTTP), events signed by the Sandbox.
/// </summary>
public sealed class StripeKit : IAsyncDisposable
{
    private static readonly HttpClient Http = new();

    private StripeKit(EngineHarness h) => H = h;

    public EngineHarness H { get; }

    public StripeState Stripe => H.Sandbox.State.Stripe;

    public static async Task<StripeKit> StartAsync(AzuriteFixture azurite, Func<PayoutFlowSettings, PayoutFlowSettings>? settings = null,
        string? apiKey = null, bool established = true, bool webhookSecret = true)
    {
        var id = EngineHarness.NewId();
        var keyName = EngineHarness.SecretName(id, "StripeKey");
        var hookName = EngineHarness.SecretName(id, "StripeWebhook");
        EngineHarness? h = null;
        h = await EngineHarness.StartAsync(azurite, new HarnessOptions
        {
            Id = id,
            EstablishedStorage = established,
            Settings = new Dictionary<string, string?>
            {
                [$"Secrets:{keyName}"] = apiKey ?? new SandboxOptions().StripeSecretKey,
                [$"Secrets:{hookName}"] = webhookSecret ? new SandboxOptions().StripeWebhookSecret : null,
            },
            Integration = i => i with
            {
                Payouts = (settings ?? (s => s))(new PayoutFlowSettings
                {
                    Enabled = true,
                    FeeWriteOffReasonCode = DemoScenario.PspFeeReasonCode,
                    Providers = new Dictionary<string, PspPayoutSettings>
                    {
                        [PayoutProviders.Stripe] = new()
                        {
                            PaymentMethodId = "STRIPE",
                            CashAccount = DemoScenario.PspClearingAccount,
                            ReferencePrefix = "NT-",
                            ApiBaseUrl = null, // set below, once the Sandbox's port is known
                            ApiKeySecretName = keyName,
                            WebhookSecretName = hookName,
                        },
                    },
                }),
            },
        });
        var k = new StripeKit(h);
        // The Sandbox port is only known after start: point the provider at it.
        var integration = h.Integration with
        {
            Payouts = h.Integration.Payouts with
            {
                Providers = new Dictionary<string, PspPayoutSettings>
                {
                    [PayoutProviders.Stripe] = h.Integration.Payouts.Providers[PayoutProviders.Stripe] with { ApiBaseUrl = h.Sandbox.StripeApiBase.ToString() },
                },
            },
        };
        await h.Services.GetRequiredService<IIntegrationStore>().SaveAsync(integration, TestContext.Current.CancellationToken);
        k.Integration = integration;
        return k;
    }

    public Integration Integration { get; private set; } = null!;

    /// <summary>Orders through the real order flow → released invoices, by order number.</summary>
    public Task<Dictionary<int, VismaInvoiceSnapshot>> InvoicesAsync(params (int Number, string Email)[] orders) => H.InvoicesAsync(orders);

    public static long Minor(decimal sek) => decimal.ToInt64(sek * 100m);

    /// <summary>Seeds a payout through the control plane (<c>POST /_sandbox/stripe/payouts</c>); returns its id.</summary>
    public async Task<string> SeedAsync(params StripeTransactionSeed[] transactions) => await SeedAsync(new StripePayoutSeed
    {
        Currency = "sek",
        ArrivalDate = H.Sandbox.State.Clock.GetUtcNow().AddDays(2),
        Transactions = [.. transactions],
    });

    public async Task<string> SeedAsync(StripePayoutSeed seed)
    {
        using var response = await Http.PostAsJsonAsync(new Uri(H.Sandbox.BaseUri, "_sandbox/stripe/payouts"), seed, TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return doc.RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>A Stripe event signed by the Sandbox (<c>POST /_sandbox/stripe/events</c>).</summary>
    public async Task<StripeSignedEvent> EventAsync(string payoutId, string type = "payout.paid", DateTimeOffset? at = null)
    {
        using var response = await Http.PostAsJsonAsync(new Uri(H.Sandbox.BaseUri, "_sandbox/stripe/events"),
            new StripeEventRequest { PayoutId = payoutId, Type = type, At = at }, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<StripeSignedEvent>(TestContext.Current.CancellationToken))!;
    }

    /// <summary>Calls the webhook function class with an ASP.NET Core request, as the Functions host would.</summary>
    public async Task<WebhookResponse> PostAsync(string body, string? signature, string? integrationId = null)
    {
        var ctx = new DefaultHttpContext { RequestServices = H.Services };
        ctx.Request.Method = "POST";
        ctx.Request.ContentType = "application/json";
        var bytes = Encoding.UTF8.GetBytes(body);
        ctx.Request.Body = new MemoryStream(bytes);
        ctx.Request.ContentLength = bytes.Length;
        if (signature is not null)
            ctx.Request.Headers[StripeSignature.Header] = signature;
        var result = await H.Function<StripeWebhookFunction>().Run(ctx.Request, integrationId ?? H.Integration.Id, TestContext.Current.CancellationToken);
        var obj = Assert.IsType<ObjectResult>(result);
        return new WebhookResponse(obj.StatusCode ?? 200, JsonSerializer.SerializeToElement(obj.Value, Junipeer.Core.JunipeerJson.Options));
    }

    public Task SweepAsync() => H.Function<PayoutSweepFunction>().Run(new TimerInfo(), TestContext.Current.CancellationToken);

    public Task<int> DrainAsync() => H.DrainPayoutsAsync();

    public Task<LedgerEntry?> PayoutRowAsync(string payoutId) =>
        H.Services.GetRequiredService<ISyncLedger>().GetAsync(new LedgerKey(H.Integration.Id, PayoutFlows.Payouts, Payout.PayoutKey(PayoutProviders.Stripe, payoutId)), TestContext.Current.CancellationToken);

    public long StripeCalls => H.Sandbox.State.Stats.CountPrefix("stripe ");

    public ValueTask DisposeAsync() => H.DisposeAsync();
}
