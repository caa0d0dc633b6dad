using System.CommandLine;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Products;
using Junipeer.Functions.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Junipeer.Cli;

/// <summary>Catalogue operator commands: <c>reimport products</c> and <c>diagnose sku</c>.</summary>
public static partial class Program
{
    /// <summary>The engine with its connectors (Visma.net, Centra) as the Functions app wires it, for one command.</summary>
    internal static IHost Engine(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Configuration.AddEnvironmentVariables();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddJunipeer();
        return builder.Build();
    }

    private static Command ReimportCommand()
    {
        var products = new Command("products", "Rebuild every SKU mapping (Visma.net article → Centra SKU) with the integration's current SKU rule; resumable; prints a report");
        products.Options.Add(IntegrationOption);
        products.Options.Add(SettingsOption);
        products.Options.Add(JsonOption);
        products.SetAction(async (parse, ct) =>
        {
            var output = new Output(parse.GetValue(JsonOption));
            var (settings, storage) = Load(parse, output);
            var id = parse.GetValue(IntegrationOption)!;
            return await Guarded(output, storage, async () =>
            {
                using var engine = Engine(settings);
                var integration = await engine.Services.GetRequiredService<IIntegrationStore>().GetAsync(id, ct);
                if (integration is null)
                {
                    return output.Error(ExitCodes.InvalidInput, ErrorCodes.IntegrationNotFound, $"No integration '{id}' in this storage (see `junipeer integration list`).", storage);
                }

                var catalogue = engine.Services.GetRequiredService<SkuCatalogue>();
                var report = await WithProgressAsync(output, p => catalogue.ReimportAsync(integration, p, ct));
                var d = report.Diagnosis;
                output.Write(new
                {
                    integration = id,
                    rule = d.Rule,
                    fingerprint = report.Fingerprint,
                    resumed = report.Resumed,
                    articles = d.Articles,
                    shopSizes = d.ShopSizes,
                    mapped = report.Mapped,
                    removedOld = report.RemovedOld,
                    findings = Summary(d),
                    storage = storage.ToJson(),
                }, () =>
                {
                    AnsiConsole.MarkupLine($"[green]Re-imported[/] SKU mappings of [bold]{Markup.Escape(id)}[/] with rule {Markup.Escape(d.Rule)}{(report.Resumed ? " (resumed)" : "")}:");
                    AnsiConsole.MarkupLine($"  {report.Mapped} mapped of {d.Articles} articles and {d.ShopSizes} Centra sizes; {report.RemovedOld} old mappings replaced.");
                    PrintFindings(d);
                });
                return d.Findings.Count == 0 ? ExitCodes.Ok : ExitCodes.AttentionNeeded;
            });
        });
        var cmd = new Command("reimport", "Supervised re-imports");
        cmd.Subcommands.Add(products);
        return cmd;
    }

    private static Command DiagnoseCommand()
    {
        var sku = new Command("sku", "SKU mismatch report: SKUs on one side only, duplicates, values that break the SKU rule, and which side to fix");
        sku.Options.Add(IntegrationOption);
        sku.Options.Add(SettingsOption);
        sku.Options.Add(JsonOption);
        sku.SetAction(async (parse, ct) =>
        {
            var output = new Output(parse.GetValue(JsonOption));
            var (settings, storage) = Load(parse, output);
            var id = parse.GetValue(IntegrationOption)!;
            return await Guarded(output, storage, async () =>
            {
                using var engine = Engine(settings);
                var integration = await engine.Services.GetRequiredService<IIntegrationStore>().GetAsync(id, ct);
                if (integration is null)
                {
                    return output.Error(ExitCodes.InvalidInput, ErrorCodes.IntegrationNotFound, $"No integration '{id}' in this storage (see `junipeer integration list`).", storage);
                }

                var d = await WithProgressAsync(output, p => engine.Services.GetRequiredService<SkuCatalogue>().DiagnoseAsync(integration, p, ct));
                output.Write(new
                {
                    integration = id,
                    rule = d.Rule,
                    fingerprint = d.Fingerprint,
                    articles = d.Articles,
                    shopSizes = d.ShopSizes,
                    matched = d.Matched,
                    findings = Summary(d),
                    items = d.Findings.Select(f => new { kind = f.Kind, sku = f.Sku, article = f.Article, shopId = f.ShopId, fixIn = f.FixIn, reason = f.Reason }),
                    storage = storage.ToJson(),
                }, () =>
                {
                    AnsiConsole.MarkupLine($"SKU rule of [bold]{Markup.Escape(id)}[/]: {Markup.Escape(d.Rule)} ({d.Fingerprint}); {d.Articles} articles, {d.ShopSizes} Centra sizes, {d.Matched} matched.");
                    PrintFindings(d);
                });
                return d.Findings.Count == 0 ? ExitCodes.Ok : ExitCodes.AttentionNeeded;
            });
        });
        var cmd = new Command("diagnose", "Diagnostics");
        cmd.Subcommands.Add(sku);
        return cmd;
    }

    private static Dictionary<string, int> Summary(SkuDiagnosis d) => new()
    {
        [SkuFindingKinds.OnlyInErp] = d.Count(SkuFindingKinds.OnlyInErp),
        [SkuFindingKinds.OnlyInShop] = d.Count(SkuFindingKinds.OnlyInShop),
        [SkuFindingKinds.DuplicateInErp] = d.Count(SkuFindingKinds.DuplicateInErp),
        [SkuFindingKinds.DuplicateInShop] = d.Count(SkuFindingKinds.DuplicateInShop),
        [SkuFindingKinds.PatternBreakInErp] = d.Count(SkuFindingKinds.PatternBreakInErp),
        [SkuFindingKinds.PatternBreakInShop] = d.Count(SkuFindingKinds.PatternBreakInShop),
    };

    private static void PrintFindings(SkuDiagnosis d)
    {
        if (d.Findings.Count == 0)
        {
            AnsiConsole.MarkupLine("[green]No mismatches.[/]");
            return;
        }

        var table = new Table().AddColumns("kind", "SKU", "article", "Centra size", "fix in", "why");
        foreach (var f in d.Findings.Take(200))
        {
            table.AddRow(Markup.Escape(f.Kind), Markup.Escape(f.Sku), Markup.Escape(f.Article ?? ""), Markup.Escape(f.ShopId ?? ""), Markup.Escape(f.FixIn), Markup.Escape(f.Reason));
        }

        AnsiConsole.Write(table);
        if (d.Findings.Count > 200)
        {
            AnsiConsole.MarkupLine($"… and {d.Findings.Count - 200} more (use --json for all).");
        }
    }

    /// <summary>Runs the work with a progress display on stderr (not with --json: stdout stays one JSON object).</summary>
    private static async Task<T> WithProgressAsync<T>(Output output, Func<IProgress<ReimportProgress>, Task<T>> work)
    {
        if (output.Json || Console.IsErrorRedirected)
        {
            // Plain lines on stderr: readable in logs, no terminal control codes.
            return await work(new Progress<ReimportProgress>(p => Console.Error.WriteLine($"{p.Stage}: {p.Done}{(p.Total is { } t ? $"/{t}" : "")}")));
        }

        return await output.Err.Progress().AutoClear(true).StartAsync(async ctx =>
        {
            var task = ctx.AddTask("reading", maxValue: 1).IsIndeterminate();
            return await work(new Progress<ReimportProgress>(p =>
            {
                task.Description = $"{p.Stage}: {p.Done}{(p.Total is { } t ? $"/{t}" : "")}";
                if (p.Total is { } total && total > 0)
                {
                    task.IsIndeterminate = false;
                    task.MaxValue = total;
                    task.Value = p.Done;
                }
            }));
        });
    }
}
