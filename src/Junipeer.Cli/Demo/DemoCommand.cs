using System.CommandLine;
using System.Text.Json;
using Junipeer.Core;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Junipeer.Cli.Demo;

/// <summary><c>junipeer demo [--json]</c>: the main job end to end against the Sandbox with embedded defaults.</summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object on stdout (progress and logs go to stderr)" };
        var noFaults = new Option<bool>("--no-faults") { Description = "Deliver every webhook once and inject no Visma faults" };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for every order to finish", DefaultValueFactory = _ => 240 };
        var verbose = new Option<bool>("--verbose") { Description = "Also log warnings (transient failures and retries) to stderr, with the host's output" };
        var hostKills = new Option<int>("--host-kills") { Description = "How often the `junipeer run` child is SIGKILLed mid-run and restarted", DefaultValueFactory = _ => 1 };
        var storageWipes = new Option<int>("--storage-wipes") { Description = "How often all tables and queues are wiped after a pass (integration re-added, sweep run again)", DefaultValueFactory = _ => 1 };
        var chaos = new Option<bool>("--chaos") { Description = "Chaos run: 500 orders, 5% 5xx and 2% lost responses in Visma and Centra, 429 bursts, 30% dropped and 10% duplicated webhooks and signals, 2 host kills, 1 storage wipe (see README)" };
        var orderCount = new Option<int?>("--orders") { Description = "Orders to seed (default 64; 500 with --chaos); a longer soak: --chaos --orders 5000 --timeout 7200" };
        var cmd = new Command("demo", "Run the demo: Azurite + Sandbox + local host, 64 Centra orders → Visma.net invoices, with dropped/duplicated webhooks and the fallback sweep");
        cmd.Options.Add(json);
        cmd.Options.Add(noFaults);
        cmd.Options.Add(timeout);
        cmd.Options.Add(verbose);
        cmd.Options.Add(hostKills);
        cmd.Options.Add(storageWipes);
        cmd.Options.Add(chaos);
        cmd.Options.Add(orderCount);
        cmd.SetAction(async (parse, ct) =>
        {
            var asJson = parse.GetValue(json);
            var console = asJson ? AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }) : AnsiConsole.Console;
            var options = new DemoOptions
            {
                Timeout = TimeSpan.FromSeconds(parse.GetValue(timeout)),
                StorageConnectionString = Environment.GetEnvironmentVariable("AzureWebJobsStorage"),
                LogLevel = parse.GetValue(verbose) ? LogLevel.Warning : LogLevel.Error,
                ForwardHostOutput = parse.GetValue(verbose),
                HostKills = Math.Max(0, parse.GetValue(hostKills)),
                StorageWipes = Math.Max(0, parse.GetValue(storageWipes)),
                ConfigureLogging = b => b.AddSimpleConsole(o => o.SingleLine = true).AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace),
            };
            if (parse.GetValue(chaos))
            {
                options = DemoChaos.Apply(options);
            }

            if (parse.GetValue(orderCount) is { } count)
            {
                options = options with { OrderCount = Math.Max(1, count) };
            }

            if (parse.GetValue(noFaults))
            {
                options = options with { WebhookDropRate = 0, WebhookDuplicateRate = 0, Visma429Burst = 0, Visma5xxRate = 0, VismaCommitThenDropRate = 0, HostKills = 0, StorageWipes = 0 };
            }

            DemoReport? report = null;
            try
            {
                await console.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                    .StartAsync(async ctx =>
                    {
                        var task = ctx.AddTask("orders finished", maxValue: 64);
                        report = await DemoRunner.RunAsync(options,
                            m => console.MarkupLine($"[grey]{Markup.Escape(m)}[/]"),
                            (done, total) =>
                            {
                                task.MaxValue = total;
                                task.Value = done;
                            }, ct);
                        task.Value = task.MaxValue;
                    });
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Ctrl+C / SIGTERM: the host child, the Sandbox and Azurite were stopped on the way out.
                console.MarkupLine("[yellow]demo cancelled[/]");
                return 130;
            }

            var r = report!;
            if (asJson)
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(r, JunipeerJson.Options));
            }
            else
            {
                Render(console, r);
            }

            var problems = DemoChaos.Problems(r);
            foreach (var problem in problems)
            {
                console.MarkupLine($"[red]{Markup.Escape(problem)}[/]");
            }

            var ok = problems.Count == 0;
            return ok ? 0 : 1;
        });
        return cmd;
    }

    private static void Render(IAnsiConsole console, DemoReport r)
    {
        var o = r.Orders;
        var table = new Table().Title("[bold]Orders → Visma.net invoices[/] (counted in the Sandbox)").AddColumns("measure", "value");
        table.AddRow("orders sent (Centra)", o.Sent.ToString(Inv));
        table.AddRow("invoiced (exactly one invoice)", Color(o.Invoiced.ToString(Inv), true));
        table.AddRow("failed with a code", o.Failed.ToString(Inv));
        table.AddRow("duplicate invoices", Color(o.Duplicates.ToString(Inv), o.Duplicates == 0));
        table.AddRow("missing invoices", Color(o.Missing.ToString(Inv), o.Missing == 0));
        table.AddRow("total or VAT differs from Centra", Color(o.AmountMismatches.ToString(Inv), o.AmountMismatches == 0));
        var sh = r.Shipments;
        table.AddRow("shipments confirmed in Visma / signals dropped", $"{sh.Confirmed} / {sh.SignalsDropped}");
        table.AddRow("shipments booked with nShift / double-booked", Color($"{sh.Booked} / {sh.DoubleBooked}", sh.DoubleBooked == 0));
        table.AddRow("shipments in Centra / missed / twice", Color($"{sh.ReachedCentra} / {sh.Missed} / {sh.ShopDuplicates}", sh.Missed == 0 && sh.ShopDuplicates == 0));
        var p = r.Payments;
        var paymentsOk = p.Duplicates == 0 && p.GiftAmountMismatches == 0;
        table.AddRow("gift-certificate payments (orders / created / released)", Color($"{p.GiftOrders} / {p.Created} / {p.Released}", paymentsOk && p.Created == p.Released));
        table.AddRow("invoice balance ≠ total − gift certificate", Color(p.GiftAmountMismatches.ToString(Inv), p.GiftAmountMismatches == 0));
        table.AddRow("Visma calls per invoiced order", o.VismaCallsPerOrder.ToString("0.00", Inv));
        var po = r.Payouts;
        table.AddRow("payouts booked (Stripe, Adyen) / duplicate payments", Color($"{po.Booked} / {po.Duplicates}", po.Booked >= 2 && po.Duplicates == 0));
        table.AddRow("payout sales matched / unmatched / fees written off", $"{po.TransactionsMatched} / {po.TransactionsUnmatched} / {po.FeesWrittenOff}");
        table.AddRow("refund credit notes / duplicates", Color($"{po.CreditNotes} / {po.CreditNoteDuplicates}", po.CreditNoteDuplicates == 0));
        table.AddRow("Centra refund → credit note", Color($"{po.ShopRefundCreditNotes}", po.ShopRefundCreditNotes == 1));
        table.AddRow("invoice balance ≠ what the PSP data says is owed", Color(po.BalanceMismatches.ToString(Inv), po.BalanceMismatches == 0));
        table.AddRow("customers created in Visma", r.CustomersCreated.ToString(Inv));
        table.AddRow("webhooks delivered / dropped / duplicated", $"{r.Webhooks.Delivered} / {r.Webhooks.Dropped} / {r.Webhooks.Duplicated}");
        var f = r.Faults;
        table.AddRow("host kills (SIGKILL + restart of `junipeer run`)", f.HostKills.Count.ToString(Inv));
        table.AddRow("storage wipes (invoices before / after / new)", Color($"{f.StorageWipes.Count}: {f.StorageWipes.InvoicesBefore} / {f.StorageWipes.InvoicesAfter} / {f.StorageWipes.NewInvoicesAfterWipe}", f.StorageWipes.NewInvoicesAfterWipe == 0));
        table.AddRow("articles mapped to Centra SKUs / SKU mismatches reported", $"{r.Products.Synced} / {r.Products.Mismatches}");
        table.AddRow("stock: changed in Visma / set in Centra / setStock calls", $"{r.Stock.ChangedInVisma} / {r.Stock.UpdatedInCentra} / {r.Stock.CentraCalls}");
        table.AddRow("stock: SKUs differing from Visma after the run", Color(r.Stock.Divergent.ToString(Inv), r.Stock.Divergent == 0));
        table.AddRow("Sandbox contract violations", Color(r.Contract.Violations.ToString(Inv), r.Contract.Violations == 0));
        table.AddRow("duration", $"{r.DurationSeconds:0.0} s");
        console.Write(table);

        var vat = new Table().Title("[bold]VAT treatment[/]").AddColumns("case", "orders");
        foreach (var (k, v) in r.Vat.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            vat.AddRow(k, v.ToString(Inv));
        }

        console.Write(vat);
        if (r.Failures.Count > 0)
        {
            var failures = new Table().Title("[bold]Failures (operator action needed)[/]").AddColumns("code", "orders", "fix");
            foreach (var (code, count) in r.Failures)
            {
                var fix = Junipeer.Core.Errors.ErrorCodes.All.FirstOrDefault(e => e.Code == code)?.Fix ?? "";
                failures.AddRow(code, count.ToString(Inv), Markup.Escape(fix));
            }

            console.Write(failures);
        }
    }

    private static readonly IFormatProvider Inv = System.Globalization.CultureInfo.InvariantCulture;

    private static string Color(string value, bool good) => good ? $"[green]{value}[/]" : $"[red]{value}[/]";
}
