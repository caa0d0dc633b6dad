using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Junipeer.Cli.Azurite;
using Junipeer.Cli.Demo;
using Junipeer.Cli.LocalHost;
using Junipeer.Core.Integrations;
using Junipeer.Core.Products;
using Junipeer.Core.Stock;
using Junipeer.Core.Sync;
using Junipeer.Sandbox;
using Junipeer.Sandbox.Centra;
using Junipeer.Sandbox.Visma;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Junipeer.Bench;

/// <summary>
/// Stock push benchmark (<c>--mode stock</c>): N changed SKUs (default 50,000) in Visma.net, pushed to Centra by
/// the stock handler as deployed (Azurite + Sandbox over loopback, strict contracts), batched
/// (<c>--batch</c>, default 500 sizes per setStock call) against one setStock call per SKU, same run, same data.
/// Reported: Centra calls, wall time, and divergent SKUs after each pass (must be 0). The baseline may be run
/// on the first <c>--baseline-skus</c> SKUs only (default: all) and is then extrapolated per SKU, labelled so.
/// </summary>
internal static class StockBench
{
    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var skus = Program.Arg(args, "--skus", 50_000);
        var batch = Program.Arg(args, "--batch", 500);
        var baselineSkus = Math.Min(skus, Program.Arg(args, "--baseline-skus", skus));
        var latency = Program.Arg(args, "--latency-ms", 0);
        var json = args.Contains("--json");

        await using var azurite = await AzuriteRunner.StartAsync(m => Console.Error.WriteLine(m), ct);
        await using var sandbox = await SandboxHost.StartAsync(new SandboxOptions { Port = 0, CentraRateLimit = int.MaxValue, VismaRateLimit = 1_000_000 }, ct);
        sandbox.State.Visma.CreateCompany(DemoScenario.Company());
        await using var host = await LocalFunctionsHost.StartAsync(new LocalHostOptions
        {
            Port = 0,
            EnableQueues = false,
            EnableTimers = false,
            MinimumLogLevel = LogLevel.Error,
            Settings = new Dictionary<string, string?>(FunctionCatalog.TimerSettingsOff())
            {
                ["AzureWebJobsStorage"] = azurite.ConnectionString,
                ["Junipeer:Storage:Prefix"] = "s" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)),
                ["Junipeer:TokenEncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
                [IntegrationRules.AllowLoopbackHttpKey] = "true",
                [$"Secrets:{DemoScenario.VismaSecretName}"] = DemoScenario.ClientSecret,
                [$"Secrets:{DemoScenario.CentraTokenSecretName}"] = sandbox.Options.CentraToken,
                [$"Secrets:{DemoScenario.WebhookSecretName}"] = "unused",
            },
        }, ct);

        var integration = DemoScenario.Integration(sandbox.VismaApiBase, sandbox.VismaTokenUrl, sandbox.CentraGraphQlUrl) with
        {
            Sku = new SkuSettings { ProductNrField = SkuFields.InventoryNumber, VariantField = "VARIANT", SizeField = "SIZE" },
            Stock = new StockFlowSettings { Enabled = true, BatchSize = batch, Warehouses = [new WarehouseMapping { VismaWarehouseId = "MAIN", CentraWarehouseId = 1 }] },
        };
        await host.Services.GetRequiredService<IIntegrationStore>().SaveAsync(integration, ct);

        Console.Error.WriteLine($"seeding {skus} articles, Centra sizes and SKU mappings");
        static string Number(int i) => "ART" + i.ToString("D6", CultureInfo.InvariantCulture);
        static string Sku(int i) => Number(i) + "BLU" + "M";
        sandbox.State.Visma.UpsertInventory(DemoScenario.CompanyTenantId, [.. Enumerable.Range(1, skus).Select(i => new VismaInventorySpec
        {
            InventoryNumber = Number(i),
            Attributes = new Dictionary<string, string> { ["VARIANT"] = "BLU", ["SIZE"] = "M" },
            Available = new Dictionary<string, decimal> { ["MAIN"] = 1 + (i % 97) },
        })]);
        sandbox.State.Centra.AddWarehouses(1);
        sandbox.State.Centra.AddSizes([.. Enumerable.Range(1, skus).Select(i => new CentraSizeSpec { Sku = Sku(i) })]);
        await host.Services.GetRequiredService<IMappingBulkStore>().SetManyAsync(integration.Id, MappingKinds.Sku,
            [.. Enumerable.Range(1, skus).Select(i => KeyValuePair.Create(Number(i), Sku(i)))], ct);
        await host.Services.GetRequiredService<IMappingStore>().SetAsync(integration.Id, MappingKinds.SkuSettings, SkuMappingGuard.FingerprintKey,
            SkuComposer.Fingerprint(integration.Sku), ct);
        sandbox.State.Faults.VismaLatencyMs = latency;

        // Baseline: one setStock per SKU (BatchSize 1), a fresh handler (nothing remembered), full read.
        var baselineIntegration = integration with { Stock = integration.Stock with { BatchSize = 1 } };
        if (baselineSkus < skus)
        {
            // Only the first baselineSkus articles are mapped for the baseline pass.
            await host.Services.GetRequiredService<IMappingBulkStore>().DeleteAllAsync(integration.Id, MappingKinds.Sku, ct);
            await host.Services.GetRequiredService<IMappingBulkStore>().SetManyAsync(integration.Id, MappingKinds.Sku,
                [.. Enumerable.Range(1, baselineSkus).Select(i => KeyValuePair.Create(Number(i), Sku(i)))], ct);
        }

        var baseline = await PassAsync(host, sandbox, baselineIntegration, ct);
        var baselineDivergent = Divergent(sandbox, Enumerable.Range(1, baselineSkus), Number, Sku);

        // Engine: the configured batch size, everything mapped, stock reset in Centra so every quantity really changes.
        if (baselineSkus < skus)
        {
            await host.Services.GetRequiredService<IMappingBulkStore>().SetManyAsync(integration.Id, MappingKinds.Sku,
                [.. Enumerable.Range(1, skus).Select(i => KeyValuePair.Create(Number(i), Sku(i)))], ct);
        }

        foreach (var i in Enumerable.Range(1, skus))
        {
            sandbox.State.Visma.SetAvailable(DemoScenario.CompanyTenantId, Number(i), "MAIN", 2 + (i % 89));
        }

        var engine = await PassAsync(host, sandbox, integration, ct);
        var engineDivergent = Divergent(sandbox, Enumerable.Range(1, skus), Number, Sku);

        var perSkuBaseline = baseline.Seconds / Math.Max(1, baseline.Sent);
        var baselineFull = perSkuBaseline * skus;
        var result = new
        {
            skus,
            batchSize = batch,
            engine = new { centraCalls = engine.Calls, seconds = Math.Round(engine.Seconds, 2), sent = engine.Sent, divergent = engineDivergent },
            baseline = new
            {
                skus = baselineSkus,
                centraCalls = baseline.Calls,
                seconds = Math.Round(baseline.Seconds, 2),
                sent = baseline.Sent,
                divergent = baselineDivergent,
                extrapolatedSecondsForAll = baselineSkus < skus ? Math.Round(baselineFull, 1) : (double?)null,
            },
            callRatio = Math.Round(engine.Calls / (double)skus, 5),
            speedup = Math.Round(baselineFull / Math.Max(0.001, engine.Seconds), 1),
        };
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(result));
        }
        else
        {
            var table = new Table().Title($"[bold]Stock push[/]: {skus} changed SKUs, {batch} per setStock call, {Environment.ProcessorCount} cores")
                .AddColumns("measure", "one call per SKU" + (baselineSkus < skus ? $" ({baselineSkus} SKUs, extrapolated)" : ""), "engine (batched)", "ratio");
            table.AddRow("Centra calls", (baselineSkus < skus ? skus : baseline.Calls).ToString(CultureInfo.InvariantCulture), engine.Calls.ToString(CultureInfo.InvariantCulture),
                F(engine.Calls / (double)skus) + "×");
            table.AddRow("wall time (s)", F(baselineFull), F(engine.Seconds), F(engine.Seconds / baselineFull) + "×");
            table.AddRow("divergent SKUs after the pass", baselineDivergent.ToString(CultureInfo.InvariantCulture), engineDivergent.ToString(CultureInfo.InvariantCulture), "");
            AnsiConsole.Write(table);
        }

        return engineDivergent == 0 && baselineDivergent == 0 && engine.Calls == (skus + batch - 1) / batch ? 0 : 1;
    }

    private sealed record Pass(double Seconds, long Calls, int Sent);

    private static async Task<Pass> PassAsync(LocalFunctionsHost host, SandboxHost sandbox, Integration integration, CancellationToken ct)
    {
        await host.Services.GetRequiredService<ICheckpointStore>().SetAsync(integration.Id, Flows.Stock, DateTimeOffset.UnixEpoch, ct); // full read
        var handler = ActivatorUtilities.CreateInstance<StockSyncHandler>(host.Services);
        var before = sandbox.State.Stats.Count("centra POST /graphql SetStock");
        var watch = Stopwatch.StartNew();
        var run = await handler.SyncAsync(integration, ct);
        watch.Stop();
        return new Pass(watch.Elapsed.TotalSeconds, sandbox.State.Stats.Count("centra POST /graphql SetStock") - before, run.Sent);
    }

    private static int Divergent(SandboxHost sandbox, IEnumerable<int> articles, Func<int, string> number, Func<int, string> sku)
    {
        var visma = sandbox.State.Visma.InventoryItems(DemoScenario.CompanyTenantId).ToDictionary(x => x.InventoryNumber);
        var centra = sandbox.State.Centra.Sizes().ToDictionary(s => s.Sku);
        return articles.Count(i => !centra[sku(i)].Stock.TryGetValue(1, out var have) || have != (int)visma[number(i)].Available["MAIN"]);
    }

    private static string F(double x) => x.ToString("0.###", CultureInfo.InvariantCulture);
}
