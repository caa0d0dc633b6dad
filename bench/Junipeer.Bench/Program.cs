using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Junipeer.Cli.Azurite;
using Junipeer.Cli.Demo;
using Junipeer.Cli.LocalHost;
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
/// Benchmarks on real parts (Azurite + Sandbox over loopback), reported as ratios against a
/// baseline measured in the same run:
///   1. Visma calls per order for new and for known customers (floor: 2 = create + release).
///   2. End-to-end orders/second: the engine as deployed (queue pump with host.json concurrency)
///      against a naive sequential loop over the same handler, one order at a time.
/// The Sandbox adds a fixed latency per Visma call so the numbers reflect a remote ERP.
/// Usage: dotnet run -c Release --project bench/Junipeer.Bench [-- --orders 128 --latency-ms 15]
/// Webhook acknowledgement latency (old and new intake, 1 and 16 senders): see <see cref="AckBench"/>
/// (-- --mode ack [--requests 400]).
/// The rate-budget benchmark is a separate mode: <c>-- --budget</c> (see <see cref="BudgetBench"/>).
/// Stock push (50,000 changed SKUs, batched setStock vs one call per SKU): <c>-- --mode stock</c> (see <see cref="StockBench"/>).
/// Adyen settlement report parse, streamed vs loaded whole: <c>-- --mode adyen-parse [--lines 100000]</c> (see <see cref="AdyenParseBench"/>).
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        try
        {
            return await RunModeAsync(args);
        }
        catch (Junipeer.Core.Errors.JunipeerException ex)
        {
            // A benchmark that cannot set itself up says why and exits 1 (not an abort with a stack trace).
            await Console.Error.WriteLineAsync($"{ex.Code}: {ex.Message}");
            return 1;
        }
    }

    private static async Task<int> RunModeAsync(string[] args)
    {
        var mode = Value(args, "--mode");
        if (mode == "all")
        {
            return await AllBench.RunAsync(args, CancellationToken.None);
        }

        if (mode == "rate-budget")
        {
            return await BudgetBench.RunAsync(args, CancellationToken.None);
        }

        if (mode is not null and not ("calls" or "ack" or "stock" or "adyen-parse"))
        {
            // A mode another branch adds (adyen-parse, payout, ...): a type Junipeer.Bench.<Name>Bench with RunAsync(string[], CancellationToken).
            var name = "Junipeer.Bench." + string.Concat(mode.Split('-').Select(w => char.ToUpperInvariant(w[0]) + w[1..])) + "Bench";
            var run = typeof(Program).Assembly.GetType(name)?.GetMethod("RunAsync", [typeof(string[]), typeof(CancellationToken)]);
            if (run is null)
            {
                Console.Error.WriteLine($"Unknown mode '{mode}' (no {name} in this build). Modes: all, calls, ack, stock, rate-budget.");
                return 2;
            }

            return await (Task<int>)run.Invoke(null, [args, CancellationToken.None])!;
        }

        if (mode == "ack")
        {
            return await AckBench.RunAsync(Arg(args, "--requests", 400), CancellationToken.None);
        }

        if (mode == "stock")
        {
            return await StockBench.RunAsync(args, CancellationToken.None);
        }

        if (args.Contains("--mode") && args.SkipWhile(a => a != "--mode").Skip(1).FirstOrDefault() == "adyen-parse")
        {
            return await AdyenParseBench.RunAsync(args);
        }

        if (args.Contains("--budget"))
        {
            return await BudgetBench.RunAsync(args, CancellationToken.None);
        }

        var orders = Arg(args, "--orders", 128);
        var latency = Arg(args, "--latency-ms", 15);
        var ct = CancellationToken.None;
        await using var azurite = await AzuriteRunner.StartAsync(m => Console.Error.WriteLine(m), ct);

        var naive = await RunAsync(azurite, orders, latency, Kind.Naive, ct);
        var baseline = await RunAsync(azurite, orders, latency, Kind.Sequential, ct);
        var engine = await RunAsync(azurite, orders, latency, Kind.Engine, ct);

        // Against the naive client (search customer, create, search invoice, create, read back, release), same Sandbox, same run.
        var vsNaive = new Table().Title($"[bold]Engine vs naive client[/]: {orders} orders per round, {latency} ms Visma latency, {Environment.ProcessorCount} cores")
            .AddColumns("measure", "naive client (sequential)", "engine (host.json concurrency)", "engine ÷ naive");
        vsNaive.AddRow("Visma calls/order, new customers", F(naive.CallsPerNewCustomerOrder), F(engine.CallsPerNewCustomerOrder), F(engine.CallsPerNewCustomerOrder / naive.CallsPerNewCustomerOrder));
        vsNaive.AddRow("Visma calls/order, known customers", F(naive.CallsPerKnownCustomerOrder), F(engine.CallsPerKnownCustomerOrder), F(engine.CallsPerKnownCustomerOrder / naive.CallsPerKnownCustomerOrder));
        vsNaive.AddRow("orders/second (new customers)", F(naive.OrdersPerSecond), F(engine.OrdersPerSecond), F(engine.OrdersPerSecond / naive.OrdersPerSecond) + "×");
        vsNaive.AddRow("invoices / duplicates", $"{naive.Invoices} / {naive.Duplicates}", $"{engine.Invoices} / {engine.Duplicates}", "");
        AnsiConsole.Write(vsNaive);

        var table = new Table().Title($"[bold]Junipeer bench[/]: {orders} orders, {latency} ms Visma latency, {Environment.ProcessorCount} cores")
            .AddColumns("measure", "sequential baseline", "engine (host.json concurrency)", "ratio");
        table.AddRow("orders/second", F(baseline.OrdersPerSecond), F(engine.OrdersPerSecond), F(engine.OrdersPerSecond / baseline.OrdersPerSecond) + "×");
        table.AddRow("wall time (s)", F(baseline.Seconds), F(engine.Seconds), F(engine.Seconds / baseline.Seconds) + "×");
        table.AddRow("Visma calls/order, new customers", F(baseline.CallsPerNewCustomerOrder), F(engine.CallsPerNewCustomerOrder), F(engine.CallsPerNewCustomerOrder / baseline.CallsPerNewCustomerOrder) + "×");
        table.AddRow("Visma calls/order, known customers (floor 2)", F(baseline.CallsPerKnownCustomerOrder), F(engine.CallsPerKnownCustomerOrder), F(engine.CallsPerKnownCustomerOrder / 2) + "× floor");
        table.AddRow("invoices / duplicates", $"{baseline.Invoices} / {baseline.Duplicates}", $"{engine.Invoices} / {engine.Duplicates}", "");
        AnsiConsole.Write(table);
        return engine.Duplicates == 0 && baseline.Duplicates == 0 && naive.Duplicates == 0 ? 0 : 1;
    }

    private enum Kind
    {
        Naive,
        Sequential,
        Engine,
    }

    private sealed record Result(double Seconds, double OrdersPerSecond, double CallsPerNewCustomerOrder, double CallsPerKnownCustomerOrder, int Invoices, int Duplicates);

    private static async Task<Result> RunAsync(AzuriteRunner azurite, int count, int latencyMs, Kind kind, CancellationToken ct)
    {
        var concurrent = kind == Kind.Engine;
        await using var sandbox = await SandboxHost.StartAsync(new SandboxOptions { Port = 0 }, ct);
        sandbox.State.Visma.CreateCompany(DemoScenario.Company());
        await using var host = await LocalFunctionsHost.StartAsync(new LocalHostOptions
        {
            Port = 0,
            EnableQueues = concurrent,
            EnableTimers = false,
            MinimumLogLevel = LogLevel.Error,
            Settings = new Dictionary<string, string?>(FunctionCatalog.TimerSettingsOff())
            {
                ["AzureWebJobsStorage"] = azurite.ConnectionString,
                ["Junipeer:Storage:Prefix"] = "b" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)),
                ["Junipeer:TokenEncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
                [IntegrationRules.AllowLoopbackHttpKey] = "true",
                [$"Secrets:{DemoScenario.VismaSecretName}"] = DemoScenario.ClientSecret,
                [$"Secrets:{DemoScenario.CentraTokenSecretName}"] = sandbox.Options.CentraToken,
                [$"Secrets:{DemoScenario.WebhookSecretName}"] = "unused",
            },
        }, ct);
        var integration = DemoScenario.Integration(sandbox.VismaApiBase, sandbox.VismaTokenUrl, sandbox.CentraGraphQlUrl,
            syncFrom: sandbox.State.Clock.GetUtcNow() - TimeSpan.FromDays(1));
        await host.Services.GetRequiredService<IIntegrationStore>().SaveAsync(integration, ct);
        sandbox.State.Faults.VismaLatencyMs = latencyMs;

        // Round 1: new customers. Round 2: the same buyers again (known customers).
        var specs = Orders(count, 100_000);
        var newRound = await ProcessAsync(host, sandbox, integration, specs, kind, ct);
        var again = Orders(count, 200_000);
        var knownRound = await ProcessAsync(host, sandbox, integration, again, kind, ct);

        var invoices = sandbox.State.Visma.Invoices(DemoScenario.CompanyTenantId);
        var duplicates = invoices.GroupBy(i => i.CustomerRefNumber).Sum(g => g.Count() - 1);
        return new Result(newRound.Seconds, newRound.Invoiced / newRound.Seconds,
            newRound.VismaCalls / (double)newRound.Invoiced, knownRound.VismaCalls / (double)knownRound.Invoiced, invoices.Count, duplicates);
    }

    /// <summary>Demo orders that invoice (the unmapped Italian ones left out), cycled to <paramref name="count"/>.</summary>
    private static List<CentraOrderSpec> Orders(int count, int firstNumber)
    {
        var template = DemoScenario.Orders().Where(o => !DemoScenario.ExpectedToFail(o)).ToList();
        var list = new List<CentraOrderSpec>();
        for (var i = 0; i < count; i++)
        {
            list.Add(Clone(template[i % template.Count], firstNumber + i, $"bench{i}@example.com"));
        }

        return list;
    }

    /// <summary>A copy with its own number and buyer e-mail (the same e-mail in both rounds).</summary>
    internal static CentraOrderSpec Clone(CentraOrderSpec o, int number, string email) => new()
    {
        Number = number,
        Status = o.Status,
        StoreType = o.StoreType,
        PricesIncludeVat = o.PricesIncludeVat,
        Currency = o.Currency,
        MarketName = o.MarketName,
        Customer = o.Customer is null ? null : new CentraCustomerSpec { Id = number, Email = email, FirstName = o.Customer.FirstName, LastName = o.Customer.LastName },
        Account = o.Account,
        Buyer = o.Buyer is null ? null : new CentraBuyerSpec { Id = number, Email = email },
        BillingAddress = WithEmail(o.BillingAddress, email),
        ShippingAddress = WithEmail(o.ShippingAddress, email),
        Lines = o.Lines,
        Shipping = o.Shipping,
        Voucher = o.Voucher,
        GiftCertificate = 0m, // gift-certificate orders add a payment (2 calls); measured in the tests, not here
    };

    private static CentraAddressSpec? WithEmail(CentraAddressSpec? a, string email) => a is null ? null : new CentraAddressSpec
    {
        FirstName = a.FirstName, LastName = a.LastName, CompanyName = a.CompanyName, Address1 = a.Address1, Address2 = a.Address2,
        City = a.City, ZipCode = a.ZipCode, Country = a.Country, Email = email, PhoneNumber = a.PhoneNumber, VatNumber = a.VatNumber,
    };

    private sealed record Round(double Seconds, int Invoiced, long VismaCalls);

    private static async Task<Round> ProcessAsync(LocalFunctionsHost host, SandboxHost sandbox, Integration integration, List<CentraOrderSpec> specs, Kind kind, CancellationToken ct)
    {
        var concurrent = kind == Kind.Engine;
        foreach (var s in specs)
        {
            sandbox.State.Centra.AddOrder(s);
        }

        if (kind == Kind.Naive)
        {
            var calls = sandbox.State.Stats.CountPrefix("visma ");
            var naive = await NaiveClient.RunAsync(host.Services, integration, specs.Select(s => s.Number!.Value.ToString(CultureInfo.InvariantCulture)), ct);
            if (naive.Invoiced < specs.Count)
            {
                throw new InvalidOperationException($"the naive client invoiced only {naive.Invoiced} of {specs.Count} orders");
            }

            return new Round(naive.Seconds, naive.Invoiced, sandbox.State.Stats.CountPrefix("visma ") - calls);
        }

        var queue = host.Services.GetRequiredService<IWorkQueue>();
        var handler = host.Services.GetRequiredService<OrderSyncHandler>();
        var ledger = host.Services.GetRequiredService<ISyncLedger>();
        var callsBefore = sandbox.State.Stats.CountPrefix("visma ");
        var invoicesBefore = sandbox.State.Visma.Invoices(DemoScenario.CompanyTenantId).Count;
        var clock = Stopwatch.StartNew();
        var items = specs.Select(s => WorkItem.ForOrder(integration.Id, s.Number!.Value.ToString(CultureInfo.InvariantCulture), "bench", $"bench-{s.Number}", DateTimeOffset.UtcNow)).ToList();
        if (concurrent)
        {
            foreach (var item in items)
            {
                await queue.EnqueueAsync(item, null, ct);
            }

            // Released invoices are the first sign (free to read, in memory); the order is complete only when
            // its ledger row is Done, which the handler writes after the release. Reading the ledger as soon as
            // the last invoice turned Open raced that write ("23 of 24 orders reached Done").
            var target = invoicesBefore + specs.Count;
            while (sandbox.State.Visma.Invoices(DemoScenario.CompanyTenantId).Count(i => i.Status == "Open") < target)
            {
                if (clock.Elapsed > TimeSpan.FromMinutes(5))
                {
                    throw new TimeoutException("the engine did not finish the round within 5 minutes");
                }

                await Task.Delay(20, ct);
            }
        }
        else
        {
            foreach (var item in items)
            {
                await handler.HandleAsync(item, Guid.NewGuid().ToString("N"), ct);
            }
        }

        await WaitForDoneAsync(ledger, integration.Id, items.Select(i => i.EntityKey).ToHashSet(StringComparer.Ordinal), clock, ct);
        var seconds = clock.Elapsed.TotalSeconds;
        return new Round(seconds, specs.Count, sandbox.State.Stats.CountPrefix("visma ") - callsBefore);
    }

    /// <summary>
    /// Waits until the ledger row of every order in <paramref name="keys"/> (this round's, not earlier rounds') is Done,
    /// the handler's own completion record. A Failed row, or rows still open after 5 minutes, end the bench with the details.
    /// </summary>
    internal static async Task WaitForDoneAsync(ISyncLedger ledger, string integrationId, IReadOnlySet<string> keys, Stopwatch clock, CancellationToken ct)
    {
        while (true)
        {
            var rows = (await ledger.ListAsync(integrationId, Flows.Orders, ct)).Where(e => keys.Contains(e.Key.EntityKey)).ToList();
            var failed = rows.Where(e => e.Status == LedgerStatus.Failed).ToList();
            if (failed.Count > 0)
            {
                throw new InvalidOperationException($"{failed.Count} of {keys.Count} orders failed: " + string.Join("; ", failed.Take(5).Select(f => $"{f.Key.EntityKey} {f.ErrorCode} {f.ErrorMessage}")));
            }

            var done = rows.Count(e => e.Status == LedgerStatus.Done);
            if (done == keys.Count)
            {
                return;
            }

            if (clock.Elapsed > TimeSpan.FromMinutes(5))
            {
                throw new TimeoutException($"only {done} of {keys.Count} orders reached Done within 5 minutes: " + string.Join("; ", rows.Where(e => e.Status != LedgerStatus.Done).Take(5).Select(e => $"{e.Key.EntityKey} {e.Status} {e.Phase}")));
            }

            await Task.Delay(50, ct);
        }
    }

    private static string F(double v) => v.ToString("0.00", CultureInfo.InvariantCulture);

    internal static string? Value(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    internal static int Arg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var v) ? v : fallback;
    }
}
