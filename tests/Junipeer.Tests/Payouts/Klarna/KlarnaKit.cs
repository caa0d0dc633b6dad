using System.Net.Http.Json;
using System.Text.Json;
using Junipeer.Cli.Demo;
using Junipeer.Connectors.Payments.Klarna;
using Junipeer.Core.Integrations;
using Junipeer.Core.Payouts;
using Junipeer.Core.Sync;
using Junipeer.Functions.Payouts;
using Junipeer.Sandbox;
using Junipeer.Sandbox.Klarna;
using Junipeer.Sandbox.Visma;
using Junipeer.Tests.Infrastructure;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace Junipeer.Tests.Payouts.Klarna;

/// <summary>
/// The engine (AddJunipeer, Azurite) with the payouts flow pointed at the Sandbox's Klarna Settlements
/// emulator over real HTTP: API credentials ("username:password") in the integration's secret namespace,
/// provider prefix "NT-". Payouts are seeded through the Sandbox control plane.
/// </summary>
public sealed class KlarnaKit : IAsyncDisposable
{
    private static readonly HttpClient Http = new();

    private KlarnaKit(EngineHarness h) => H = h;

    public EngineHarness H { get; }

    public KlarnaState Klarna => H.Sandbox.State.Klarna;

    public Integration Integration { get; private set; } = null!;

    public KlarnaPayoutSource Source => H.Services.GetServices<IPayoutSource>().OfType<KlarnaPayoutSource>().Single();

    public static async Task<KlarnaKit> StartAsync(AzuriteFixture azurite, Func<PayoutFlowSettings, PayoutFlowSettings>? settings = null,
        string? credentials = null, bool established = true)
    {
        var id = EngineHarness.NewId();
        var keyName = EngineHarness.SecretName(id, "KlarnaApi");
        var h = await EngineHarness.StartAsync(azurite, new HarnessOptions
        {
            Id = id,
            EstablishedStorage = established,
            Settings = new Dictionary<string, string?>
            {
                [$"Secrets:{keyName}"] = credentials ?? KlarnaState.DefaultUsername + ":" + KlarnaState.DefaultPassword,
            },
            Integration = i => i with
            {
                Payouts = (settings ?? (s => s))(new PayoutFlowSettings
                {
                    Enabled = true,
                    FeeWriteOffReasonCode = DemoScenario.PspFeeReasonCode,
                    Providers = new Dictionary<string, PspPayoutSettings>
                    {
                        [PayoutProviders.Klarna] = new()
                        {
                            PaymentMethodId = "KLARNA",
                            CashAccount = DemoScenario.PspClearingAccount,
                            ReferencePrefix = "NT-",
                            ApiKeySecretName = keyName,
                        },
                    },
                }),
            },
        });
        var k = new KlarnaKit(h);
        // The Sandbox port is only known after start: point the provider at it.
        var integration = h.Integration with
        {
            Payouts = h.Integration.Payouts with
            {
                Providers = new Dictionary<string, PspPayoutSettings>
                {
                    [PayoutProviders.Klarna] = h.Integration.Payouts.Providers[PayoutProviders.Klarna] with { ApiBaseUrl = h.Sandbox.KlarnaApiBase.ToString() },
                },
            },
        };
        await h.Services.GetRequiredService<IIntegrationStore>().SaveAsync(integration, TestContext.Current.CancellationToken);
        k.Integration = integration;
        return k;
    }

    /// <summary>Seeds a payout through the control plane (<c>POST /_sandbox/klarna/payouts</c>); returns its payment reference.</summary>
    public async Task<string> SeedAsync(KlarnaPayoutSeed seed)
    {
        using var response = await Http.PostAsJsonAsync(new Uri(H.Sandbox.BaseUri, "_sandbox/klarna/payouts"), seed, TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return doc.RootElement.GetProperty("payment_reference").GetString()!;
    }

    public Task<string> SeedAsync(params KlarnaTransactionSeed[] transactions) =>
        SeedAsync(new KlarnaPayoutSeed { PayoutDate = H.Sandbox.State.Clock.GetUtcNow().AddDays(1), Transactions = [.. transactions] });

    public Task<LedgerEntry?> PayoutRowAsync(string payoutId) =>
        H.Services.GetRequiredService<ISyncLedger>().GetAsync(new LedgerKey(H.Integration.Id, PayoutFlows.Payouts, Payout.PayoutKey(PayoutProviders.Klarna, payoutId)), TestContext.Current.CancellationToken);

    /// <summary>Orders through the real order flow → released invoices, by order number.</summary>
    public Task<Dictionary<int, VismaInvoiceSnapshot>> InvoicesAsync(params (int Number, string Email)[] orders) => H.InvoicesAsync(orders);

    public static long Minor(decimal sek) => decimal.ToInt64(sek * 100m);

    /// <summary>The PayoutSweep timer function, as the Functions host runs it.</summary>
    public Task SweepAsync() => H.Function<PayoutSweepFunction>().Run(new TimerInfo(), TestContext.Current.CancellationToken);

    public Task<int> DrainAsync() => H.DrainPayoutsAsync();

    public ValueTask DisposeAsync() => H.DisposeAsync();
}
