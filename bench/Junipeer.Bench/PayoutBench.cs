using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Junipeer.Cli.Demo;
using Junipeer.Cli.Azurite;
using Junipeer.Cli.LocalHost;
using Junipeer.Core.Erp;
using Junipeer.Core.Integrations;
using Junipeer.Core.Orders;
using Junipeer.Core.Payouts;
using Junipeer.Core.Sync;
using Junipeer.Sandbox;
using Junipeer.Sandbox.Centra;
using Junipeer.Sandbox.Stripe;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Junipeer.Bench;

/// <summary>
/// <c>--mode payout [--customers 10] [--per-customer 100] [--latency-ms 15]</c>: Visma calls to book one PSP payout of
/// customers × per-customer transactions (default 1,000 across 10 customers), each invoice paid by many partial
/// captures with a fee each. Two passes in the same run, same Sandbox, same connector, each on its own released invoices:
///   baseline: what a straightforward integration does, one customer payment per transaction (create, release),
///             the fee ignored — at best one call per transaction, here two;
///   engine:   <see cref="PayoutSyncHandler"/> as deployed, reading the payout from the Stripe emulator over HTTP:
///             one payment per customer, applied to its invoices, fees written off.
/// Exit 1 if either pass leaves an invoice with an open balance or the engine books other than one payment per customer.
/// </summary>
public static class PayoutBench
{
    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var customers = Program.Arg(args, "--customers", 10);
        var perCustomer = Program.Arg(args, "--per-customer", 100);
        var latency = Program.Arg(args, "--latency-ms", 15);
        var transactions = customers * perCustomer;

        await using var azurite = await AzuriteRunner.StartAsync(m => Console.Error.WriteLine(m), ct);
        await using var sandbox = await SandboxHost.StartAsync(new SandboxOptions { Port = 0 }, ct);
        sandbox.State.Visma.CreateCompany(DemoScenario.Company());
        var settings = new Dictionary<string, string?>(FunctionCatalog.TimerSettingsOff())
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Junipeer:Storage:Prefix"] = "p" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)),
            ["Junipeer:TokenEncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            [IntegrationRules.AllowLoopbackHttpKey] = "true",
            [$"Secrets:{DemoScenario.VismaSecretName}"] = DemoScenario.ClientSecret,
            [$"Secrets:{DemoScenario.CentraTokenSecretName}"] = sandbox.Options.CentraToken,
            [$"Secrets:{DemoScenario.WebhookSecretName}"] = "unused",
        };
        DemoPayouts.AddSecrets(settings, sandbox);
        await using var host = await LocalFunctionsHost.StartAsync(new LocalHostOptions
        {
            Port = 0,
            EnableQueues = false, // the handlers are called directly: this measures ERP calls, not the pump
            EnableTimers = false,
            MinimumLogLevel = LogLevel.Error,
            Settings = settings,
        }, ct);
        var integration = DemoPayouts.WithPayouts(DemoScenario.Integration(sandbox.VismaApiBase, sandbox.VismaTokenUrl, sandbox.CentraGraphQlUrl,
            syncFrom: sandbox.State.Clock.GetUtcNow() - TimeSpan.FromDays(1)), sandbox);
        await host.Services.GetRequiredService<IIntegrationStore>().SaveAsync(integration, ct);
        sandbox.State.Faults.VismaLatencyMs = latency;

        // 2 × customers SEK orders, each from its own buyer, invoiced and released by the order handler.
        var template = DemoScenario.Orders().First(o => o.Currency == "SEK" && !DemoScenario.ExpectedToFail(o) && o.GiftCertificate == 0m);
        var specs = Enumerable.Range(0, 2 * customers).Select(i => Program.Clone(template, 300_000 + i, $"payout{i}@example.se")).ToList();
        var orders = host.Services.GetRequiredService<OrderSyncHandler>();
        foreach (var s in specs)
        {
            sandbox.State.Centra.AddOrder(s);
            var n = s.Number!.Value.ToString(CultureInfo.InvariantCulture);
            var r = await orders.HandleAsync(WorkItem.ForOrder(integration.Id, n, "bench", "bench-" + n, DateTimeOffset.UtcNow), "bench", ct);
            if (r.Outcome != SyncOutcome.Done)
                throw new InvalidOperationException($"order {n} was not invoiced: {r.Outcome}");
        }

        var invoices = sandbox.State.Visma.Invoices(DemoScenario.CompanyTenantId).ToDictionary(i => i.CustomerRefNumber!, StringComparer.Ordinal);
        VismaInvoiceSnapshotSet Invoices(IEnumerable<CentraOrderSpec> group) =>
            new([.. group.Select(s => invoices["CENTRA-" + s.Number])]);
        var naiveSet = Invoices(specs.Take(customers));
        var engineSet = Invoices(specs.Skip(customers));

        // Baseline: one payment per transaction (create + release), gross applied, fee ignored.
        var erp = host.Services.GetRequiredService<IErpResolver>().For(integration);
        var stripe = integration.Payouts!.Providers[PayoutProviders.Stripe];
        var naiveCalls = sandbox.State.Stats.CountPrefix("visma ");
        var naiveClock = Stopwatch.StartNew();
        var date = DateOnly.FromDateTime(sandbox.State.Clock.GetUtcNow().UtcDateTime);
        foreach (var invoice in naiveSet.Items)
        {
            var k = 0;
            foreach (var part in Split(invoice.Balance, perCustomer))
            {
                var number = await erp.Payments.CreatePaymentAsync(integration, new ErpPaymentDraft
                {
                    CustomerNumber = invoice.CustomerNumber,
                    Date = date,
                    CurrencyId = invoice.CurrencyId,
                    Reference = $"TX-{invoice.ReferenceNumber}-{k++}",
                    PaymentMethodId = stripe.PaymentMethodId,
                    CashAccount = stripe.CashAccount,
                    Amount = part / 100m,
                    InvoiceNumber = invoice.ReferenceNumber,
                }, ct);
                await erp.Payments.ReleasePaymentAsync(integration, number, ct);
            }
        }

        var naiveSeconds = naiveClock.Elapsed.TotalSeconds;
        naiveCalls = sandbox.State.Stats.CountPrefix("visma ") - naiveCalls;

        // Engine: the same number of transactions in one Stripe payout, booked by the payout handler.
        var seed = new StripePayoutSeed
        {
            Currency = "sek",
            ArrivalDate = sandbox.State.Clock.GetUtcNow(),
            Transactions = [.. engineSet.Items.SelectMany(i => Split(i.Balance, perCustomer).Select((part, k) => new StripeTransactionSeed
            {
                Type = "charge",
                Amount = part,
                Fee = 10,
                OrderReference = DemoPayouts.PspReferencePrefix + i.CustomerRefNumber!["CENTRA-".Length..],
                Id = $"txn_{i.ReferenceNumber}_{k}",
            }))],
        };
        var payoutId = sandbox.State.Stripe.AddPayout(seed)["id"]!.GetValue<string>();
        var payouts = host.Services.GetRequiredService<PayoutSyncHandler>();
        var engineCalls = sandbox.State.Stats.CountPrefix("visma ");
        var stripeCalls = sandbox.State.Stats.CountPrefix("stripe ");
        var engineClock = Stopwatch.StartNew();
        var result = await payouts.HandleAsync(WorkItem.ForPayout(integration.Id, PayoutProviders.Stripe, payoutId, WorkReasons.Replay, "bench-payout", DateTimeOffset.UtcNow), "bench", ct);
        var engineSeconds = engineClock.Elapsed.TotalSeconds;
        engineCalls = sandbox.State.Stats.CountPrefix("visma ") - engineCalls;
        stripeCalls = sandbox.State.Stats.CountPrefix("stripe ") - stripeCalls;

        var after = sandbox.State.Visma.Invoices(DemoScenario.CompanyTenantId).ToDictionary(i => i.ReferenceNumber, StringComparer.Ordinal);
        int Open(VismaInvoiceSnapshotSet set) => set.Items.Count(i => after[i.ReferenceNumber].Balance != 0m);
        var payments = sandbox.State.Visma.Payments(DemoScenario.CompanyTenantId);
        var enginePayments = payments.Count(p => p.Lines.Any(l => engineSet.Items.Any(i => i.ReferenceNumber == l.RefNbr)));
        var naivePayments = payments.Count(p => p.Lines.Any(l => naiveSet.Items.Any(i => i.ReferenceNumber == l.RefNbr)));

        static string F(double v) => v.ToString("0.00", CultureInfo.InvariantCulture);
        var table = new Table().Title($"[bold]Payout booking[/]: {transactions:N0} transactions across {customers} customers, {latency} ms Visma latency, {Environment.ProcessorCount} cores")
            .AddColumns("measure", "one payment per transaction (baseline)", "engine (one payment per customer)", "engine ÷ baseline");
        table.AddRow("Visma calls", naiveCalls.ToString(CultureInfo.InvariantCulture), engineCalls.ToString(CultureInfo.InvariantCulture), F(engineCalls / (double)naiveCalls) + "×");
        table.AddRow("Visma calls per customer", F(naiveCalls / (double)customers), F(engineCalls / (double)customers), F(engineCalls / (double)naiveCalls) + "×");
        table.AddRow("Visma calls per transaction", F(naiveCalls / (double)transactions), F(engineCalls / (double)transactions), "");
        table.AddRow("vs the floor of one call per transaction", F(naiveCalls / (double)transactions) + "×", F(engineCalls / (double)transactions) + "×", "");
        table.AddRow("payments in Visma", naivePayments.ToString(CultureInfo.InvariantCulture), enginePayments.ToString(CultureInfo.InvariantCulture), "");
        table.AddRow("invoices left open", Open(naiveSet).ToString(CultureInfo.InvariantCulture), Open(engineSet).ToString(CultureInfo.InvariantCulture), "");
        var writtenOff = payments.SelectMany(p => p.Lines).Where(l => engineSet.Items.Any(i => i.ReferenceNumber == l.RefNbr)).Sum(l => l.BalanceWriteOff);
        table.AddRow("fees written off (SEK, read back from Visma)", "0 (ignored)", writtenOff.ToString("0.00", CultureInfo.InvariantCulture), "");
        table.AddRow("wall time (s)", F(naiveSeconds), F(engineSeconds), F(engineSeconds / naiveSeconds) + "×");
        table.AddRow("Stripe API calls (engine reads the payout)", "", stripeCalls.ToString(CultureInfo.InvariantCulture), "");
        AnsiConsole.Write(table);
        var ok = result.Outcome == SyncOutcome.Done && Open(naiveSet) == 0 && Open(engineSet) == 0 && enginePayments == customers;
        if (!ok)
            AnsiConsole.MarkupLine($"[red]engine outcome {result.Outcome}, open invoices {Open(naiveSet)} / {Open(engineSet)}, engine payments {enginePayments}[/]");
        return ok ? 0 : 1;
    }

    /// <summary>The balance in minor units split into <paramref name="parts"/> captures (the last takes the remainder).</summary>
    private static IEnumerable<long> Split(decimal balance, int parts)
    {
        var minor = decimal.ToInt64(balance * 100m);
        var each = minor / parts;
        for (var k = 0; k < parts - 1; k++)
            yield return each;
        yield return minor - (each * (parts - 1));
    }

    private sealed record VismaInvoiceSnapshotSet(IReadOnlyList<Junipeer.Sandbox.Visma.VismaInvoiceSnapshot> Items);
}
