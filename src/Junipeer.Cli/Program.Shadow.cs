using System.CommandLine;
using System.Globalization;
using Junipeer.Core.Integrations;
using Junipeer.Core.Shadow;
using Junipeer.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Junipeer.Cli;

/// <summary><c>junipeer shadow report</c>: what a shadow-mode integration would book, and what to fix first.</summary>
public static partial class Program
{
    private static Command ShadowCommand()
    {
        var cmd = new Command("shadow", "Shadow mode (go-live without fear): what an integration in Mode Shadow would book");
        var report = new Command("report", "Would-book documents per order, totals per VAT case, and the failures to fix before going live (exit 1 when there are failures)");
        report.Options.Add(IntegrationOption);
        report.Options.Add(SettingsOption);
        report.Options.Add(JsonOption);
        report.SetAction(async (parse, ct) =>
        {
            var output = new Output(parse.GetValue(JsonOption));
            var (settings, storage) = Load(parse, output);
            var id = parse.GetValue(IntegrationOption)!;
            return await Guarded(output, storage, async () =>
            {
                using var sp = ShadowServices(settings);
                var r = await sp.GetRequiredService<ShadowService>().ReportAsync(id, ct);
                output.Write(new
                {
                    integration = r.IntegrationId,
                    mode = r.Mode.ToString(),
                    r.CutOverDate,
                    storage = storage.ToJson(),
                    counts = new { r.WouldBook, r.AlreadyBooked, r.Skipped, r.Failed },
                    totals = r.Totals,
                    failures = r.FailuresByCode,
                    records = r.Records,
                }, () => WriteShadowReport(r));
                return r.Failed > 0 ? ExitCodes.AttentionNeeded : ExitCodes.Ok;
            });
        });
        cmd.Subcommands.Add(report);
        return cmd;
    }

    private static void WriteShadowReport(ShadowReport r)
    {
        static string M(decimal d) => d.ToString("0.00", CultureInfo.InvariantCulture);
        AnsiConsole.MarkupLine($"Integration [bold]{Markup.Escape(r.IntegrationId)}[/], mode {r.Mode}" +
                               (r.CutOverDate is { } c ? $", cut-over {Markup.Escape(c.ToString("u", CultureInfo.InvariantCulture))}" : "") +
                               $": {r.WouldBook} would book, {r.AlreadyBooked} already booked, {r.Skipped} skipped, {r.Failed} failed");
        var table = new Table().AddColumns("order", "outcome", "document", "reference", "VAT case", "tax zone", "VAT categories", "customer", "lines", "net", "VAT", "gross", "code / reason");
        foreach (var x in r.Records)
        {
            var customer = x.CustomerAction switch
            {
                ShadowCustomerAction.Found => $"found {x.CustomerNumber}",
                ShadowCustomerAction.Shared => $"shared {x.CustomerNumber}",
                ShadowCustomerAction.Create => $"create ({x.CustomerClassId}) {x.CustomerName}",
                _ => "",
            };
            table.AddRow(Markup.Escape(x.EntityKey), x.Outcome.ToString(), Markup.Escape(x.ExistingDocument ?? x.DocumentType ?? ""), Markup.Escape(x.Reference ?? ""),
                Markup.Escape(x.VatCase ?? ""), Markup.Escape(x.TaxZoneId ?? ""), Markup.Escape(string.Join(",", x.VatCategories)), Markup.Escape(customer),
                x.Lines.Count.ToString(CultureInfo.InvariantCulture), M(x.NetTotal), M(x.VatTotal), $"{M(x.GrossTotal)} {Markup.Escape(x.Currency ?? "")}",
                Markup.Escape(x.ErrorCode ?? x.SkipReason ?? ""));
        }

        AnsiConsole.Write(table);
        // Totals and failures as plain lines on stdout: greppable, never wrapped or truncated.
        Console.Out.WriteLine("Would book, per VAT case:");
        foreach (var t in r.Totals)
        {
            Console.Out.WriteLine($"{t.VatCase} {t.Currency}: {t.Documents} document(s), {t.NewCustomers} new customer(s), net {M(t.Net)}, VAT {M(t.Vat)}, gross {M(t.Gross)}");
        }

        if (r.FailuresByCode.Count > 0)
        {
            Console.Out.WriteLine("Fix before going live:");
            foreach (var f in r.FailuresByCode)
            {
                Console.Out.WriteLine($"{f.Code} ({f.Count}: {string.Join(", ", f.Entities.Take(10))}{(f.Entities.Count > 10 ? ", …" : "")})");
                Console.Out.WriteLine($"  fix: {f.Fix}");
            }
        }
    }

    internal static ServiceProvider ShadowServices(Dictionary<string, string?> settings)
    {
        var config = new ConfigurationBuilder().AddEnvironmentVariables().AddInMemoryCollection(settings).Build();
        return new ServiceCollection()
            .AddSingleton<IConfiguration>(config)
            .AddSingleton<StorageClients>()
            .AddSingleton(TimeProvider.System)
            .AddSingleton<IIntegrationStore, TableIntegrationStore>()
            .AddSingleton<IShadowLog, TableShadowLog>()
            .AddSingleton<ShadowService>()
            .BuildServiceProvider();
    }
}
