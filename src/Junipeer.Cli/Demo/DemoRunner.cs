using System.Diagnostics;
using System.Security.Cryptography;
using Junipeer.Cli.Azurite;
using Junipeer.Cli.LocalHost;
using Junipeer.Core.Integrations;
using Junipeer.Core.Sync;
using Junipeer.Sandbox;
using Junipeer.Sandbox.Centra;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Junipeer.Cli.Demo;

public sealed record DemoOptions
{
    public double WebhookDropRate { get; init; } = 0.2;
    public double WebhookDuplicateRate { get; init; } = 0.2;
    public double VismaCommitThenDropRate { get; init; } = 0.03;
    public double Visma5xxRate { get; init; } = 0.02;
    public int Visma429Burst { get; init; } = 6;
    public string SweepSchedule { get; init; } = "*/5 * * * * *";
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(4);
    public string? StorageConnectionString { get; init; }
    public int Seed { get; init; } = 7;
    public LogLevel LogLevel { get; init; } = LogLevel.Error;
    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }
}

public sealed record DemoOrderCounts(int Sent, int Invoiced, int Failed, int Duplicates, int Missing, double VismaCallsPerOrder, int AmountMismatches, int UnexpectedFailures);

/// <summary>
/// Gift-certificate payments, counted in the Sandbox: orders with a gift certificate, payments with a
/// <c>GC-</c> reference (created / released / extra ones per reference), and invoices whose open
/// balance is not grand total − gift amount.
/// </summary>
public sealed record DemoPaymentCounts(int GiftOrders, int Created, int Released, int Duplicates, int GiftAmountMismatches);

public sealed record DemoWebhookCounts(int Orders, int Delivered, int Dropped, int Duplicated, int Rejected);

public sealed record DemoReport(
    DemoOrderCounts Orders,
    DemoPaymentCounts Payments,
    IReadOnlyDictionary<string, int> Vat,
    IReadOnlyDictionary<string, int> Failures,
    DemoWebhookCounts Webhooks,
    IReadOnlyDictionary<string, long> VismaCalls,
    int CustomersCreated,
    int Invoices,
    double DurationSeconds);

/// <summary>
/// The main job end to end on real parts: Azurite, the Sandbox over loopback HTTP and the local
/// Functions host. Seeds Centra, delivers webhooks (some dropped, some duplicated), lets the sweep
/// catch up, and counts the outcome from the Sandbox's own records — not from our ledger.
/// </summary>
public static class DemoRunner
{
    public static async Task<DemoReport> RunAsync(DemoOptions options, Action<string> status, Action<int, int> progress, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        AzuriteRunner? azurite = null;
        var storage = options.StorageConnectionString;
        if (string.IsNullOrWhiteSpace(storage))
        {
            azurite = await AzuriteRunner.StartAsync(status, ct);
            storage = azurite.ConnectionString;
        }

        try
        {
            status("starting the Sandbox (Visma Connect, Visma.net ERP, Centra) on loopback");
            await using var sandbox = await SandboxHost.StartAsync(new SandboxOptions { Port = 0, Seed = options.Seed }, ct);
            sandbox.State.Visma.CreateCompany(DemoScenario.Company());

            var webhookSecret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
            var prefix = "demo" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
            status("starting the local Functions host (HTTP, queues per host.json, timers)");
            await using var host = await LocalFunctionsHost.StartAsync(new LocalHostOptions
            {
                Port = 0,
                MinimumLogLevel = options.LogLevel,
                ConfigureLogging = options.ConfigureLogging,
                Settings = new Dictionary<string, string?>
                {
                    ["AzureWebJobsStorage"] = storage,
                    ["Junipeer:Storage:Prefix"] = prefix,
                    ["OrderSweepSchedule"] = options.SweepSchedule,
                    ["Junipeer:TokenEncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
                    ["Junipeer:VismaNet:ApiBaseUrl"] = sandbox.VismaApiBase.ToString(),
                    ["Junipeer:VismaNet:TokenUrl"] = sandbox.VismaTokenUrl.ToString(),
                    [IntegrationRules.AllowLoopbackHttpKey] = "true", // the Sandbox runs on http://127.0.0.1
                    [$"Secrets:{DemoScenario.VismaSecretName}"] = DemoScenario.ClientSecret,
                    [$"Secrets:{DemoScenario.CentraTokenSecretName}"] = sandbox.Options.CentraToken,
                    [$"Secrets:{DemoScenario.WebhookSecretName}"] = webhookSecret,
                },
            }, ct);

            var integrations = host.Services.GetRequiredService<IIntegrationStore>();
            var start = sandbox.State.Clock.GetUtcNow();
            await integrations.SaveAsync(DemoScenario.Integration(sandbox.VismaApiBase, sandbox.VismaTokenUrl, sandbox.CentraGraphQlUrl,
                syncFrom: start - TimeSpan.FromDays(1)), ct);

            var specs = DemoScenario.Orders(at: start);
            foreach (var spec in specs)
            {
                sandbox.State.Centra.AddOrder(spec);
            }

            status($"seeded {specs.Count} Centra orders; Visma faults: {options.Visma429Burst} × 429, {options.Visma5xxRate:P0} 5xx, {options.VismaCommitThenDropRate:P0} lost responses");
            sandbox.State.Faults.Apply(new FaultSettings
            {
                Visma429Burst = options.Visma429Burst,
                RetryAfterSeconds = 1,
                Visma5xxRate = options.Visma5xxRate,
                VismaCommitThenDropRate = options.VismaCommitThenDropRate,
                Seed = options.Seed,
            });

            var numbers = specs.Select(s => s.Number!.Value).ToList();
            var webhooks = await sandbox.SendWebhooksAsync(new WebhookRequest
            {
                TargetUrl = new Uri(host.BaseUri, $"api/webhooks/centra/{DemoScenario.IntegrationId}").ToString(),
                Secret = webhookSecret,
                OrderNumbers = numbers,
                Action = "insert",
                DropRate = options.WebhookDropRate,
                DuplicateRate = options.WebhookDuplicateRate,
                Seed = options.Seed,
            }, ct);
            status($"webhooks: {webhooks.Delivered.Count} delivered, {webhooks.Dropped.Count} dropped, {webhooks.Duplicated.Count} duplicated; the sweep ({options.SweepSchedule}) catches the rest");

            var ledger = host.Services.GetRequiredService<ISyncLedger>();
            IReadOnlyList<LedgerEntry> entries = [];
            while (clock.Elapsed < options.Timeout)
            {
                entries = await ledger.ListAsync(DemoScenario.IntegrationId, Flows.Orders, ct);
                var finished = entries.Count(e => e.Status is LedgerStatus.Done or LedgerStatus.Failed);
                progress(finished, specs.Count);
                if (finished >= specs.Count)
                {
                    break;
                }

                await Task.Delay(250, ct);
            }

            return Report(sandbox, specs, entries, webhooks, clock.Elapsed);
        }
        finally
        {
            if (azurite is not null)
            {
                await azurite.DisposeAsync();
            }
        }
    }

    private static DemoReport Report(SandboxHost sandbox, List<CentraOrderSpec> specs, IReadOnlyList<LedgerEntry> entries, WebhookResult webhooks, TimeSpan elapsed)
    {
        var invoices = sandbox.State.Visma.Invoices(DemoScenario.CompanyTenantId);
        var byRef = invoices.Where(i => i.CustomerRefNumber is not null).GroupBy(i => i.CustomerRefNumber!).ToDictionary(g => g.Key, g => g.ToList());
        int invoiced = 0, duplicates = 0, missing = 0, mismatches = 0, giftOrders = 0, giftMismatches = 0;
        foreach (var spec in specs)
        {
            var order = sandbox.State.Centra.Order(spec.Number!.Value)!;
            giftOrders += order.GiftCertificate > 0 ? 1 : 0;
            if (byRef.TryGetValue($"CENTRA-{spec.Number}", out var list))
            {
                invoiced++;
                duplicates += list.Count - 1;
                mismatches += list.Count(i => i.Amount != order.GrandTotal || i.VatTotal != order.TotalVat || i.CurrencyId != order.Currency);

                // The open balance of a released invoice is what the PSP pays: the total less the gift certificates.
                giftMismatches += list.Count(i => i.Balance != order.GrandTotal - order.GiftCertificate);
            }
            else if (!DemoScenario.ExpectedToFail(spec))
            {
                missing++;
            }
        }

        var giftPayments = sandbox.State.Visma.Payments(DemoScenario.CompanyTenantId)
            .Where(p => p.PaymentRef?.StartsWith("GC-", StringComparison.Ordinal) == true).ToList();
        var payments = new DemoPaymentCounts(
            giftOrders,
            giftPayments.Count,
            giftPayments.Count(p => p.Status is "Closed" or "Open"),
            giftPayments.GroupBy(p => p.PaymentRef).Sum(g => g.Count() - 1),
            giftMismatches);

        var failedEntries = entries.Where(e => e.Status == LedgerStatus.Failed).ToList();
        var unexpected = failedEntries.Count(e => !specs.Any(s => s.Number.ToString() == e.Key.EntityKey && DemoScenario.ExpectedToFail(s)));
        var vismaCalls = sandbox.State.Stats.Calls.Where(kv => kv.Key.StartsWith("visma ", StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value);
        var total = vismaCalls.Values.Sum();
        return new DemoReport(
            new DemoOrderCounts(specs.Count, invoiced, failedEntries.Count, duplicates, missing,
                invoiced == 0 ? 0 : Math.Round((double)total / invoiced, 2), mismatches, unexpected),
            payments,
            entries.Where(e => e.Facts.TryGetValue("vatCase", out _)).GroupBy(e => e.Facts["vatCase"]).ToDictionary(g => g.Key, g => g.Count()),
            failedEntries.GroupBy(e => e.ErrorCode ?? "?").ToDictionary(g => g.Key, g => g.Count()),
            new DemoWebhookCounts(specs.Count, webhooks.Delivered.Count, webhooks.Dropped.Count, webhooks.Duplicated.Count,
                webhooks.Deliveries.Count(d => d.Status != 202)),
            vismaCalls,
            sandbox.State.Visma.Customers(DemoScenario.CompanyTenantId).Count,
            invoices.Count,
            Math.Round(elapsed.TotalSeconds, 1));
    }
}
