using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Junipeer.Cli.Azurite;
using Junipeer.Cli.Demo;
using Junipeer.Cli.LocalHost;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Orders;
using Junipeer.Core.Sync;
using Junipeer.Sandbox;
using Junipeer.Sandbox.Centra;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Junipeer.Bench;

/// <summary>
/// The rate-budget benchmark (<c>--budget</c>): the Visma emulator enforces N calls per fixed
/// window per company (429 + X-RateLimit-* headers), the engine runs as deployed (queue pump with
/// host.json concurrency) over a backlog of known-customer orders larger than the budget allows, and
/// the released invoices per measured window are compared with the ideal
/// <c>budget ÷ 2</c> (floor: invoice create + release). Targets: ratio ≥ 0.95, 0 orders failed
/// by a rate limit (ERP_RATE_LIMITED, or requeued beyond MaxRequeues), 0 duplicates (ground truth:
/// the emulator's invoices grouped by customerRefNumber). Exit code 1 when a target is missed.
/// </summary>
internal static class BudgetBench
{
    private const int FloorCallsPerOrder = 2;
    private const string BuyerEmail = "budget-buyer@example.com";

    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var calls = Program.Arg(args, "--budget-calls", 120);
        var windowSeconds = Program.Arg(args, "--budget-window-s", 60);
        var windows = Program.Arg(args, "--windows", 2);
        var latency = Program.Arg(args, "--latency-ms", 15);
        var json = args.Contains("--json");
        var window = TimeSpan.FromSeconds(windowSeconds);
        var ideal = calls / (double)FloorCallsPerOrder;

        // Enough work that the engine is never short of orders: the window before the first measured
        // one, the measured ones and one more, with a margin.
        var backlog = (int)Math.Ceiling(ideal * (windows + 2) * 1.25);

        using var statuses = new VismaStatusCounter();
        await using var azurite = await AzuriteRunner.StartAsync(m => Console.Error.WriteLine(m), ct);
        await using var sandbox = await SandboxHost.StartAsync(new SandboxOptions
        {
            Port = 0,
            VismaRateLimit = calls,
            VismaRateWindow = window,
        }, ct);
        sandbox.State.Visma.CreateCompany(DemoScenario.Company());
        var host = await LocalFunctionsHost.StartAsync(new LocalHostOptions
        {
            Port = 0,
            EnableQueues = true,
            EnableTimers = false,
            MinimumLogLevel = LogLevel.Error,
            Settings = new Dictionary<string, string?>(FunctionCatalog.TimerSettingsOff())
            {
                ["AzureWebJobsStorage"] = azurite.ConnectionString,
                ["Junipeer:Storage:Prefix"] = "r" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)),
                ["Junipeer:TokenEncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
                [IntegrationRules.AllowLoopbackHttpKey] = "true", // the Sandbox is on loopback http
                [$"Secrets:{DemoScenario.VismaSecretName}"] = DemoScenario.ClientSecret,
                [$"Secrets:{DemoScenario.CentraTokenSecretName}"] = sandbox.Options.CentraToken,
                [$"Secrets:{DemoScenario.WebhookSecretName}"] = "unused",
            },
        }, ct);
        try
        {
            var integration = DemoScenario.Integration(sandbox.VismaApiBase, sandbox.VismaTokenUrl, sandbox.CentraGraphQlUrl,
                syncFrom: sandbox.State.Clock.GetUtcNow() - TimeSpan.FromDays(1));
            await host.Services.GetRequiredService<IIntegrationStore>().SaveAsync(integration, ct);
            sandbox.State.Faults.VismaLatencyMs = latency;

            // Steady state, not a fresh install: storage has existed for an hour, so the index of
            // recent invoices may answer "absent" (a storage epoch younger than the write timeout + skew
            // makes every order pay an ERP lookup by reference, by design).
            await StorageEpoch.SetAsync(host.Services.GetRequiredService<ISyncLedger>(), integration.Id,
                sandbox.State.Clock.GetUtcNow() - TimeSpan.FromHours(1), ct);

            // Warm-up: one order makes the buyer a known customer (and loads the VAT categories and the index).
            var template = DemoScenario.Orders().First(o => !DemoScenario.ExpectedToFail(o) && o.Account is null && o.BillingAddress?.CompanyName is null);
            var warm = Program.Clone(template, 300_000, BuyerEmail);
            sandbox.State.Centra.AddOrder(warm);
            var handler = host.Services.GetRequiredService<OrderSyncHandler>();
            var warmResult = await handler.HandleAsync(Item(integration, warm), Guid.NewGuid().ToString("N"), ct);
            if (warmResult.Outcome != SyncOutcome.Done)
            {
                throw new InvalidOperationException($"the warm-up order ended {warmResult.Outcome} ({warmResult.ErrorCode}: {warmResult.Message})");
            }

            // Start the backlog just after a window boundary, so the window before the first measured one
            // brings the engine into steady state (deferred orders, requeues) before measuring.
            await SleepUntilAsync(sandbox, NextBoundary(sandbox.State.Clock.GetUtcNow(), window) + TimeSpan.FromMilliseconds(50), ct);
            var queue = host.Services.GetRequiredService<IWorkQueue>();
            var specs = Enumerable.Range(0, backlog).Select(i => Program.Clone(template, 300_001 + i, BuyerEmail)).ToList();
            foreach (var s in specs)
            {
                sandbox.State.Centra.AddOrder(s);
            }

            foreach (var s in specs)
            {
                await queue.EnqueueAsync(Item(integration, s), null, ct);
            }

            // Measure whole emulator windows: boundary k .. k + windows.
            var start = NextBoundary(sandbox.State.Clock.GetUtcNow(), window);
            var perWindow = new List<WindowSample>();
            var previous = await SampleAtAsync(sandbox, statuses, start, ct);
            var routesAtStart = VismaRoutes(sandbox);
            for (var w = 0; w < windows; w++)
            {
                var next = await SampleAtAsync(sandbox, statuses, start + window * (w + 1), ct);
                perWindow.Add(new WindowSample(next.Released - previous.Released, next.VismaCalls - previous.VismaCalls, next.TooMany - previous.TooMany));
                previous = next;
            }

            var routesAtEnd = VismaRoutes(sandbox);
            var callsByRoute = routesAtEnd
                .Select(kv => (kv.Key, Count: kv.Value - routesAtStart.GetValueOrDefault(kv.Key)))
                .Where(kv => kv.Count > 0)
                .ToDictionary(kv => kv.Key, kv => kv.Count, StringComparer.Ordinal);
            var rows = await host.Services.GetRequiredService<ISyncLedger>().ListAsync(integration.Id, Flows.Orders, ct);
            await host.DisposeAsync();
            host = null;
            var ledger = new LedgerCounts(
                rows.Count(e => e.Status == LedgerStatus.Done),
                rows.Count(e => e.Status == LedgerStatus.Failed && e.ErrorCode == ErrorCodes.ErpRateLimited),
                rows.Count(e => e.Status == LedgerStatus.Failed && e.ErrorCode != ErrorCodes.ErpRateLimited));
            var invoices = sandbox.State.Visma.Invoices(DemoScenario.CompanyTenantId);
            var duplicates = invoices.Where(i => i.CustomerRefNumber is not null).GroupBy(i => i.CustomerRefNumber).Sum(g => g.Count() - 1);
            var released = perWindow.Sum(p => p.Released);
            var charged = perWindow.Sum(p => p.VismaCalls - p.TooMany);
            var perWindowAverage = released / (double)windows;
            var report = new BudgetReport(
                Budget: new BudgetSettings(calls, windowSeconds, windows, latency, backlog, Environment.ProcessorCount),
                IdealOrdersPerWindow: ideal,
                OrdersPerWindow: perWindowAverage,
                OrdersPerWindowEach: [.. perWindow.Select(p => p.Released)],
                Ratio: perWindowAverage / ideal,
                VismaCallsPerOrder: released == 0 ? double.NaN : charged / (double)released,
                VismaCallsCharged: charged,
                VismaCallsBudget: calls * windows,
                TooManyRequests: statuses.TooMany,
                TooManyRequestsMeasured: perWindow.Sum(p => p.TooMany),
                FailedByRateLimit: ledger.FailedByRateLimit,
                FailedOther: ledger.FailedOther,
                Done: ledger.Done,
                Duplicates: duplicates,
                Invoices: invoices.Count,
                VismaCallsByRoute: callsByRoute);
            var pass = report.Ratio >= 0.95 && report.FailedByRateLimit == 0 && report.Duplicates == 0;

            if (json)
            {
                Console.WriteLine(JsonSerializer.Serialize(report, JsonOptions));
            }
            else
            {
                Print(report, pass);
            }

            return pass ? 0 : 1;
        }
        finally
        {
            if (host is not null)
            {
                await host.DisposeAsync();
            }
        }
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = false };

    private static void Print(BudgetReport r, bool pass)
    {
        var b = r.Budget;
        var table = new Table().Title(
                $"[bold]Junipeer rate-budget bench[/]: Visma budget {b.Calls} calls / {b.WindowSeconds} s, {b.Windows} windows measured, {b.LatencyMs} ms Visma latency, {b.Orders} known-customer orders queued, {b.Cores} cores")
            .AddColumns("measure", "value", "target");
        table.AddRow("orders released per window (ideal = budget ÷ 2)", Markup.Escape($"{F(r.OrdersPerWindow)} of {F(r.IdealOrdersPerWindow)}  [{string.Join(", ", r.OrdersPerWindowEach)}]"), "");
        table.AddRow("ratio to the ideal", F(r.Ratio), "≥ 0.95");
        table.AddRow("Visma calls per order (charged to the budget)", F(r.VismaCallsPerOrder), "floor 2");
        table.AddRow("Visma calls charged / budget", $"{r.VismaCallsCharged} / {r.VismaCallsBudget}", "");
        table.AddRow("429s the emulator answered (whole run / measured)", $"{r.TooManyRequests} / {r.TooManyRequestsMeasured}", "");
        table.AddRow("orders failed by the rate limit", r.FailedByRateLimit.ToString(CultureInfo.InvariantCulture), "0");
        table.AddRow("orders failed otherwise", r.FailedOther.ToString(CultureInfo.InvariantCulture), "");
        table.AddRow("orders done (whole run) / invoices", $"{r.Done} / {r.Invoices}", "");
        table.AddRow("duplicates (invoices per customerRefNumber − 1)", r.Duplicates.ToString(CultureInfo.InvariantCulture), "0");
        table.AddRow("Visma requests in the measured windows, by route (429s included)",
            Markup.Escape(string.Join(", ", r.VismaCallsByRoute.Select(kv => $"{kv.Key} {kv.Value}"))), "");
        table.AddRow("result", pass ? "[green]pass[/]" : "[red]FAIL[/]", "");
        AnsiConsole.Write(table);
    }

    private static WorkItem Item(Integration integration, CentraOrderSpec s) =>
        WorkItem.ForOrder(integration.Id, s.Number!.Value.ToString(CultureInfo.InvariantCulture), "bench", $"budget-{s.Number}", DateTimeOffset.UtcNow);

    private static DateTimeOffset NextBoundary(DateTimeOffset now, TimeSpan window) =>
        new(now.UtcTicks - (now.UtcTicks % window.Ticks) + window.Ticks, TimeSpan.Zero);

    private static async Task SleepUntilAsync(SandboxHost sandbox, DateTimeOffset at, CancellationToken ct)
    {
        var wait = at - sandbox.State.Clock.GetUtcNow();
        if (wait > TimeSpan.FromMilliseconds(30))
        {
            await Task.Delay(wait - TimeSpan.FromMilliseconds(20), ct);
        }

        while (sandbox.State.Clock.GetUtcNow() < at)
        {
            await Task.Delay(1, ct);
        }
    }

    private sealed record Sample(int Released, long VismaCalls, long TooMany);

    private sealed record WindowSample(int Released, long VismaCalls, long TooMany);

    /// <summary>Counts at the window boundary (released invoices = status Open; Visma ERP calls; 429s).</summary>
    private static async Task<Sample> SampleAtAsync(SandboxHost sandbox, VismaStatusCounter statuses, DateTimeOffset at, CancellationToken ct)
    {
        await SleepUntilAsync(sandbox, at, ct);
        return new Sample(
            sandbox.State.Visma.Invoices(DemoScenario.CompanyTenantId).Count(i => i.Status == "Open"),
            sandbox.State.Stats.CountPrefix("visma "),
            statuses.TooMany);
    }

    private static Dictionary<string, long> VismaRoutes(SandboxHost sandbox) =>
        sandbox.State.Stats.Calls.Where(kv => kv.Key.StartsWith("visma ", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key["visma ".Length..], kv => kv.Value, StringComparer.Ordinal);

    private sealed record LedgerCounts(int Done, int FailedByRateLimit, int FailedOther);

    private sealed record BudgetSettings(int Calls, int WindowSeconds, int Windows, int LatencyMs, int Orders, int Cores);

    private sealed record BudgetReport(
        BudgetSettings Budget,
        double IdealOrdersPerWindow,
        double OrdersPerWindow,
        int[] OrdersPerWindowEach,
        double Ratio,
        double VismaCallsPerOrder,
        long VismaCallsCharged,
        long VismaCallsBudget,
        long TooManyRequests,
        long TooManyRequestsMeasured,
        int FailedByRateLimit,
        int FailedOther,
        int Done,
        int Duplicates,
        int Invoices,
        IReadOnlyDictionary<string, long> VismaCallsByRoute);

    private static string F(double v) => v.ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>
    /// Counts the 429s the Visma ERP emulator answers, from ASP.NET Core's own request metric
    /// (http.server.request.duration, tags http.route and http.response.status_code), so the
    /// emulator needs no bench-only counter.
    /// </summary>
    private sealed class VismaStatusCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _tooMany;

        public VismaStatusCounter()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Microsoft.AspNetCore.Hosting" && instrument.Name == "http.server.request.duration")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<double>((_, _, tags, _) =>
            {
                int? status = null;
                string? route = null;
                foreach (var tag in tags)
                {
                    if (tag.Key == "http.response.status_code")
                    {
                        status = Convert.ToInt32(tag.Value, CultureInfo.InvariantCulture);
                    }
                    else if (tag.Key == "http.route")
                    {
                        route = tag.Value as string;
                    }
                }

                if (status == 429 && route is not null && route.StartsWith("/visma/", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref _tooMany);
                }
            });
            _listener.Start();
        }

        public long TooMany => Interlocked.Read(ref _tooMany);

        public void Dispose() => _listener.Dispose();
    }
}
