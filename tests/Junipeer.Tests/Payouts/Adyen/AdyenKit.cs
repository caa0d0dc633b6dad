using Junipeer.Cli.Demo;
using Junipeer.Core.Integrations;
using Junipeer.Core.Payouts;
using Junipeer.Sandbox;
using Junipeer.Sandbox.Adyen;
using Junipeer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Junipeer.Tests.Payouts.Adyen;

/// <summary>
/// The engine with Adyen payouts on, against Azurite and the Adyen and Visma emulators over HTTP: the report user and
/// the HMAC key in the integration's secret namespace, the emulator's report base saved once it runs.
/// </summary>
public sealed record AdyenKit(EngineHarness H, Integration Integration)
{
    public const string Merchant = "NordTrailSE";

    public SandboxHost Sandbox => H.Sandbox;

    public AdyenState Adyen => H.Sandbox.State.Adyen;

    public long PaymentPosts => H.Sandbox.State.Stats.Count("visma POST /v1/customerPayment");

    /// <summary>Report files the engine asked for that the emulator answered with <paramref name="status"/>.</summary>
    public IReadOnlyList<string> Asked(long status) =>
        [.. Adyen.Downloads.Where(d => d.Status == status).Select(d => d.FileName)];

    /// <param name="reportPassword">The report user's password the engine is given (default: the emulator's).</param>
    /// <param name="firstBatch">When set, the payout timer probes <see cref="Merchant"/>'s batches from this number.</param>
    /// <param name="sandboxTime">The emulators' clock (the report's Creation Date); default the system clock.</param>
    /// <param name="engineTime">The engine's clock; default the system clock.</param>
    /// <param name="accounts">More merchant accounts the payout timer probes (code → first batch).</param>
    public static async Task<AdyenKit> StartAsync(
        AzuriteFixture azurite, string? reportPassword = null, long? firstBatch = null, TimeProvider? sandboxTime = null, TimeProvider? engineTime = null,
        IReadOnlyDictionary<string, long>? accounts = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        var id = EngineHarness.NewId();
        var reportSecret = EngineHarness.SecretName(id, "AdyenReportUser");
        var hmacSecret = EngineHarness.SecretName(id, "AdyenHmacKey");
        var options = new HarnessOptions
        {
            Id = id,
            SandboxTime = sandboxTime,
            EngineTime = engineTime,
            Settings =
            {
                [$"Secrets:{reportSecret}"] = $"{AdyenState.DefaultReportUser}:{reportPassword ?? AdyenState.DefaultReportPassword}",
                [$"Secrets:{hmacSecret}"] = AdyenState.DefaultHmacKey,
            },
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            options.Settings[key] = value;
        var h = await EngineHarness.StartAsync(azurite, options);
        var merchantAccounts = new Dictionary<string, BatchAccountSettings>();
        if (firstBatch is { } first)
            merchantAccounts[Merchant] = new() { FirstBatch = first };
        foreach (var (account, from) in accounts ?? new Dictionary<string, long>())
            merchantAccounts[account] = new() { FirstBatch = from };

        // The report base is the emulator's, known only once it runs: save the payout settings now.
        var integration = h.Integration with
        {
            Payouts = new PayoutFlowSettings
            {
                Enabled = true,
                FeeWriteOffReasonCode = DemoScenario.PspFeeReasonCode,
                Providers = new Dictionary<string, PspPayoutSettings>
                {
                    [PayoutProviders.Adyen] = new()
                    {
                        PaymentMethodId = "ADYEN",
                        CashAccount = DemoScenario.PspClearingAccount,
                        ReferencePrefix = "NT-",
                        ApiBaseUrl = h.Sandbox.AdyenReportBase.ToString(),
                        ApiKeySecretName = reportSecret,
                        WebhookSecretName = hmacSecret,
                        MerchantAccounts = merchantAccounts,
                    },
                },
            },
        };
        await h.Services.GetRequiredService<IIntegrationStore>().SaveAsync(integration, TestContext.Current.CancellationToken);
        return new AdyenKit(h, integration);
    }
}
