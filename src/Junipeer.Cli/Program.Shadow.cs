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
        var report = new Command("report", "What each flow would write (orders, payouts, refunds, customers, stock, shipments, products), totals per VAT case, and the failures to fix before going live (exit 1 when there are failures)");
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
                    flows = r.Flows,
                }, () => WriteShadowReport(r));
                return r.Failed > 0 || r.FailuresByCode.Count > 0 ? ExitCodes.AttentionNeeded : ExitCodes.Ok;
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
        var table = new Table().Title("orders").AddColumns("order", "outcome", "document", "reference", "VAT case", "tax zone", "VAT categories", "customer", "lines", "net", "VAT", "gross", "code / reason");
        foreach (var x in r.Records.Where(x => x.Flow == Junipeer.Core.Sync.Flows.Orders))
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
        foreach (var flow in r.Flows.Where(f => f.Flow != Junipeer.Core.Sync.Flows.Orders))
            WriteShadowFlow(flow);

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

    /// <summary>One non-order flow: its counts, then one plain line per record (failures first) with what it would write.</summary>
    private static void WriteShadowFlow(ShadowFlowReport f)
    {
        static string M(decimal d) => d.ToString("0.00", CultureInfo.InvariantCulture);
        Console.Out.WriteLine($"Flow {f.Flow}: {f.WouldBook} would book, {f.AlreadyBooked} already booked, {f.Skipped} skipped, {f.Failed} failed" +
                              (f.Payments + f.CreditNotes + f.Unmatched > 0 ? $"; {f.Payments} payment(s), {f.CreditNotes} credit note(s), fees {M(f.WriteOff)}, {f.Unmatched} unmatched transaction(s)" : "") +
                              (f.Creates + f.Updates > 0 ? $"; {f.Creates} create(s), {f.Updates} update(s)" : ""));
        foreach (var x in f.Records)
        {
            var what = x.Outcome switch
            {
                ShadowOutcome.Failed => $"{x.ErrorCode}: {x.Message}",
                ShadowOutcome.Skipped => x.SkipReason ?? "",
                ShadowOutcome.AlreadyBooked when x.Shipment is not null => $"in Centra already: shipment {x.ExistingDocument}",
                ShadowOutcome.AlreadyBooked => $"in the ERP already: {x.ExistingDocument}",
                _ when x.Shipment is { } s => ShipmentPlan(s, x.Reference),
                _ => x.Action is { } action
                    ? $"{action} in {x.Target} ({string.Join(", ", x.Changes.Select(c => $"{c.Field}: {c.From ?? "-"} -> {c.To ?? "(cleared)"}"))})" + (x.CustomerClassId is { } cls ? $" class {cls}" : "")
                    : string.Join("; ", x.Payments.Select(p => $"payment {p.Reference} customer {p.CustomerNumber} {M(p.Amount)} {p.Currency} on {string.Join(",", p.Lines.Select(l => l.InvoiceNumber))}" +
                                                               (p.WriteOff > 0m ? $", write-off {M(p.WriteOff)} reason {p.WriteOffReasonCode}" : "") + (p.ExistingDocument is { } e ? $" (exists: {e})" : ""))
                        .Concat(x.CreditNotes.Select(n => $"credit note {n.Reference} {n.Kind} {n.TransactionId} {M(n.Amount)} {n.Currency} on invoice {n.InvoiceNumber ?? "(to be booked)"}" + (n.ExistingDocument is { } e ? $" (exists: {e})" : "")))
                        .Concat(x.Unmatched.Select(u => $"unmatched {u.TransactionId} ({u.Reference ?? "no reference"}) {u.Code ?? u.Note}"))),
            };
            Console.Out.WriteLine($"  {x.EntityKey} {x.Outcome}: {what}");
        }
    }

    /// <summary>A shipment's plan in one line: the nShift booking (or the one found by our reference) and the Centra shipment.</summary>
    private static string ShipmentPlan(ShadowShipment s, string? reference)
    {
        var kg = string.Join(", ", s.Parcels.Select(p => p.WeightKg.ToString("0.00", CultureInfo.InvariantCulture) + " kg"));
        var booking = s.CarrierServiceId is null
            ? "no carrier booking"
            : s.ExistingBooking is { } found
                ? $"nShift booking {found} exists (adopted)"
                : $"book nShift {s.CarrierServiceId}, {s.Parcels.Count} parcel(s) ({kg}) to {s.Receiver}, ref {reference}";
        return $"{booking}; Centra shipment on order {s.OrderNumber}: {string.Join(", ", s.Lines.Select(l => $"{l.Quantity} x {l.Sku}"))}" +
               (s.Partial ? " (partial)" : "") + (s.TrackingNumber is { } t ? $", tracking {t}" : "") + (s.Capture ? ", capture" : "") +
               (s.WriteTrackingBack ? ", tracking written back to Visma.net" : "");
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
