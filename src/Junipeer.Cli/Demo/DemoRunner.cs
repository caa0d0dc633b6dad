using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
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

    /// <summary>SIGKILLs of the `junipeer run` child mid-run (each followed by a restart).</summary>
    public int HostKills { get; init; } = 1;

    /// <summary>Wipes of all tables and queues after the first pass (integration re-added, sweep run again).</summary>
    public int StorageWipes { get; init; } = 1;

    /// <summary>Lease on a received queue message and on a ledger row: how long work a killed host held stays blocked.</summary>
    public int LeaseSeconds { get; init; } = 25;

    /// <summary>Lease on a received queue message (renewed while the function runs): how soon a killed host's messages come back.</summary>
    public int MessageLeaseSeconds { get; init; } = 6;

    /// <summary>Share of Visma shipment signals (webhooks) never sent; the shipment sweep must deliver them.</summary>
    public double ShipmentSignalDropRate { get; init; } = 0.4;

    /// <summary>Share of Visma shipment signals sent twice.</summary>
    public double ShipmentSignalDuplicateRate { get; init; } = 0.2;

    /// <summary>Forward the child host's output to stderr.</summary>
    public bool ForwardHostOutput { get; init; }

    /// <summary>Orders seeded (the 64 demo orders cycled with new numbers beyond 64; see <see cref="DemoChaos"/>).</summary>
    public int OrderCount { get; init; } = 64;

    /// <summary>Share of Centra GraphQL calls answered 500.</summary>
    public double Centra5xxRate { get; init; }

    /// <summary>Share of Centra mutations that run and then lose their response.</summary>
    public double CentraCommitThenDropRate { get; init; }

    /// <summary>When above 0, a new burst of <see cref="Visma429Burst"/> 429s every this many seconds.</summary>
    public int Visma429BurstEverySeconds { get; init; }

    /// <summary>Adyen's REPORT_AVAILABLE for the demo's batch is never sent: the PayoutSweep timer must find the batch (chaos run).</summary>
    public bool DropAdyenNotification { get; init; }
}

public sealed record DemoOrderCounts(int Sent, int Invoiced, int Failed, int Duplicates, int Missing, double VismaCallsPerOrder, int AmountMismatches, int UnexpectedFailures);

/// <summary>
/// Gift-certificate payments, counted in the Sandbox: orders with a gift certificate, payments with a
/// <c>GC-</c> reference (created / released / extra ones per reference), and invoices whose open
/// balance is not grand total − gift amount.
/// </summary>
public sealed record DemoPaymentCounts(int GiftOrders, int Created, int Released, int Duplicates, int GiftAmountMismatches);

public sealed record DemoWebhookCounts(int Orders, int Delivered, int Dropped, int Duplicated, int Rejected);

/// <summary>Host kills: the `junipeer run` child SIGKILLed and restarted; orders finished and invoices in Visma when it died.</summary>
public sealed record DemoHostKills(int Count, int Restarts, IReadOnlyList<int> FinishedAtKill, IReadOnlyList<int> InvoicesAtKill);

/// <summary>Storage wipes: every table and queue deleted after a pass, the integration re-added, the sweep run again.</summary>
public sealed record DemoStorageWipes(int Count, int TablesDeleted, int QueuesDeleted, int InvoicesBefore, int InvoicesAfter, int NewInvoicesAfterWipe);

public sealed record DemoFaults(DemoHostKills HostKills, DemoStorageWipes StorageWipes)
{
    /// <summary>Counts per injected fault kind (emulator faults that fired, webhooks/signals dropped and duplicated, kills, wipes).</summary>
    public IReadOnlyDictionary<string, long> Injected { get; init; } = new Dictionary<string, long>();
}

/// <summary>Off-contract requests the Sandbox's emulators recorded (GET /_sandbox/contract/violations).</summary>
public sealed record DemoContract(int Violations, IReadOnlyList<string> Samples);

/// <summary>
/// Shipments, counted in the emulators: Visma shipments confirmed, Visma signals dropped, shipments
/// booked with nShift (distinct references), extra bookings of a reference, confirmed shipments with a
/// Centra shipment, and confirmed shipments without one.
/// </summary>
public sealed record DemoShipmentCounts(int Confirmed, int SignalsDropped, int Booked, int DoubleBooked, int ReachedCentra, int Missed)
{
    /// <summary>Extra Centra shipments of one reference (a shipment that reached Centra twice).</summary>
    public int ShopDuplicates { get; init; }

    /// <summary>Up to ten nShift references booked more than once, with the booking times (to find the cause).</summary>
    public IReadOnlyList<string> DoubleBookedSamples { get; init; } = [];
}

public sealed record DemoReport(
    DemoOrderCounts Orders,
    DemoPaymentCounts Payments,
    IReadOnlyDictionary<string, int> Vat,
    IReadOnlyDictionary<string, int> Failures,
    DemoWebhookCounts Webhooks,
    IReadOnlyDictionary<string, long> VismaCalls,
    int CustomersCreated,
    int Invoices,
    double DurationSeconds,
    DemoFaults Faults,
    DemoContract Contract,
    IReadOnlyList<string> Unfinished)
{
    /// <summary>Articles the product sync brought to Centra (counted in the emulator) and the mismatches the SKU report lists.</summary>
    public DemoProducts Products { get; init; } = new(0, 0);

    /// <summary>Stock Visma.net → Centra, counted in the emulators.</summary>
    public DemoStock Stock { get; init; } = new(0, 0, 0, 0);

    public DemoShipmentCounts Shipments { get; init; } = new(0, 0, 0, 0, 0, 0);

    /// <summary>Preflight against the demo's Visma company, run before any order is sent.</summary>
    public DemoPreflight Preflight { get; init; } = new([], 0, 0, 0, []);
    /// <summary>Customers both ways, counted in the emulators.</summary>
    public DemoCustomerCounts Customers { get; init; } = new(0, 0, 0, 0, 0);

    /// <summary>PSP payouts (Stripe, Adyen, Klarna) booked in Visma.net, counted in the emulators (see DemoPayouts).</summary>
    public DemoPayoutCounts Payouts { get; init; } = new(0, 0, 0, 0, 0, 0, 0, 0);
}

/// <summary>One preflight line: outcome pass / fail / cannot-check, the code and fix of a failure.</summary>
public sealed record DemoPreflightCheck(string Check, string Outcome, string? Code, string Detail, string? Fix);

/// <summary>Preflight of the demo's integration (see Core/Preflight): Italy is deliberately unmapped.</summary>
public sealed record DemoPreflight(IReadOnlyList<DemoPreflightCheck> Checks, int Passed, int Failed, int CannotCheck, IReadOnlyList<string> Codes);

/// <param name="Synced">Articles mapped to a Centra SKU by <c>reimport products</c>.</param>
/// <param name="Mismatches">Findings of the SKU mismatch report (one side only, duplicates, pattern breaks).</param>
public sealed record DemoProducts(int Synced, int Mismatches);

/// <param name="ChangedInVisma">Article × warehouse availability changes made in Visma.net during the run (seed + movements).</param>
/// <param name="UpdatedInCentra">Size stock levels Centra's setStock applied.</param>
/// <param name="CentraCalls">setStock calls.</param>
/// <param name="Divergent">Mapped SKUs whose Centra quantity differs from Visma.net's after the run (must be 0).</param>
public sealed record DemoStock(int ChangedInVisma, int UpdatedInCentra, long CentraCalls, int Divergent);

/// <summary>
/// The main job end to end on real parts: Azurite, the Sandbox over loopback HTTP and the local
/// Functions host as a child process (`junipeer run`). Seeds Centra, delivers webhooks (some
/// dropped, some duplicated), SIGKILLs and restarts the host mid-run, lets the sweep catch up,
/// wipes all storage and sweeps again, and counts the outcome from the Sandbox's own records — not
/// from our ledger.
/// </summary>
public static class DemoRunner
{
    public static async Task<DemoReport> RunAsync(DemoOptions options, Action<string> say, Action<int, int> progress, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        void status(string m) => say($"[{clock.Elapsed.TotalSeconds:0.0} s] {m}");
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
            var runStart = sandbox.State.Clock.GetUtcNow() - clock.Elapsed;

            var webhookSecret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
            var vismaWebhookSecret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
            var prefix = "demo" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
            var settings = new Dictionary<string, string?>
            {
                ["AzureWebJobsStorage"] = storage,
                ["Junipeer:Storage:Prefix"] = prefix,
                ["OrderSweepSchedule"] = options.SweepSchedule,
                ["StockSyncSchedule"] = options.SweepSchedule,
                ["CustomerSyncSchedule"] = options.SweepSchedule,
                ["ShipmentSweepSchedule"] = options.SweepSchedule,
                ["PayoutSweepSchedule"] = options.SweepSchedule,
                ["Junipeer:TokenEncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
                ["Junipeer:VismaNet:ApiBaseUrl"] = sandbox.VismaApiBase.ToString(),
                ["Junipeer:VismaNet:TokenUrl"] = sandbox.VismaTokenUrl.ToString(),
                ["Junipeer:Orders:LeaseSeconds"] = options.LeaseSeconds.ToString(CultureInfo.InvariantCulture),
                // The fence holds a row for the lease, which must outlast one ERP write (checked at start-up):
                // the Sandbox answers on loopback, so a short write timeout keeps the demo's short lease valid.
                ["Junipeer:VismaNet:TimeoutSeconds"] = Math.Max(1, (options.LeaseSeconds - 11) / 2).ToString(CultureInfo.InvariantCulture),
                ["Junipeer:Orders:MaxInProcessWaitSeconds"] = "0", // rate-limit waits go back on the queue
                [QueuePump.MessageLeaseKey] = options.MessageLeaseSeconds.ToString(CultureInfo.InvariantCulture),
                [IntegrationRules.AllowLoopbackHttpKey] = "true", // the Sandbox runs on http://127.0.0.1
                ["Logging:LogLevel:Default"] = options.LogLevel.ToString(),
                [$"Secrets:{DemoScenario.VismaSecretName}"] = DemoScenario.ClientSecret,
                [$"Secrets:{DemoScenario.CentraTokenSecretName}"] = sandbox.Options.CentraToken,
                [$"Secrets:{DemoScenario.WebhookSecretName}"] = webhookSecret,
                [$"Secrets:{DemoScenario.VismaWebhookSecretNameFor(DemoScenario.IntegrationId)}"] = vismaWebhookSecret,
                [$"Secrets:{DemoScenario.NShiftKeySecretNameFor(DemoScenario.IntegrationId)}"] = sandbox.Options.NShiftKeyId + "-" + sandbox.Options.NShiftKeySecret,
            };
            DemoPayouts.AddSecrets(settings, sandbox);
            var port = AzuriteRunner.FreePort();
            status($"starting the local Functions host as a child process (`junipeer run --port {port}`)");
            var host = await ChildHost.StartAsync(port, settings, options.ForwardHostOutput, ct);
            await using var hostGuard = new AsyncGuard(() => host.DisposeAsync());
            var sp = Program.Services(settings);
            await using var spGuard = new AsyncGuard(() => sp.DisposeAsync());

            var integrations = sp.GetRequiredService<IIntegrationStore>();
            var start = sandbox.State.Clock.GetUtcNow();
            var integration = DemoScenario.WithShipments(
                DemoScenario.Integration(sandbox.VismaApiBase, sandbox.VismaTokenUrl, sandbox.CentraGraphQlUrl, syncFrom: start - TimeSpan.FromDays(1)),
                sandbox.NShiftApiBase);
            await integrations.SaveAsync(integration, ct);

            // Catalogue: articles in Visma.net and sizes in Centra, SKU mappings by the re-import (as an operator would run it).
            integration = DemoCatalogue.WithStock(integration);
            await integrations.SaveAsync(integration, ct);
            DemoCatalogue.Seed(sandbox);
            DemoProducts productCounts;
            using (var engine = Program.Engine(settings))
            {
                var reimport = await engine.Services.GetRequiredService<Junipeer.Core.Products.SkuCatalogue>().ReimportAsync(integration, null, ct);
                productCounts = new DemoProducts(reimport.Mapped, reimport.Diagnosis.Findings.Count);
            }

            // Preflight against the live (Sandbox) company before any order is sent.
            DemoPreflight preflight;
            using (var engine = Program.Engine(settings))
            {
                var report = await engine.Services.GetRequiredService<Junipeer.Core.Preflight.PreflightRunner>().RunAsync(integration, ct);
                preflight = new DemoPreflight(
                    [.. report.Checks.Select(c => new DemoPreflightCheck(c.Check, c.Outcome switch
                    {
                        Junipeer.Core.Preflight.PreflightOutcome.Pass => "pass",
                        Junipeer.Core.Preflight.PreflightOutcome.Fail => "fail",
                        _ => "cannot-check",
                    }, c.Code, c.Detail, c.Fix))],
                    report.Passed, report.Failed, report.CannotCheck, report.Codes);
            }

            status($"preflight: {preflight.Passed} passed, {preflight.Failed} failed ({string.Join(", ", preflight.Codes)}), {preflight.CannotCheck} cannot be checked");

            status($"catalogue: {DemoCatalogue.Articles} articles, {productCounts.Synced} mapped to Centra SKUs, {productCounts.Mismatches} mismatches reported; stock runs on {options.SweepSchedule}");

            // Customers both ways: seeded on both sides; the customer timer syncs them (edits follow below).
            // Payouts are configured now, at onboarding: the host's webhook path caches an integration for
            // Webhooks.IntegrationCacheSeconds, so settings saved just before a PSP's signal would meet a stale copy (401).
            // Shop refunds are switched on with the payouts phase below: their sweep re-reads every changed order.
            integration = DemoPayouts.WithPayouts(DemoCustomers.WithCustomers(integration), sandbox, shopRefunds: false);
            await integrations.SaveAsync(integration, ct);
            DemoCustomers.Seed(sandbox);

            var specs = DemoChaos.Scale(DemoScenario.Orders(at: start), options.OrderCount);
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
                Centra5xxRate = options.Centra5xxRate,
                CentraCommitThenDropRate = options.CentraCommitThenDropRate,
                Seed = options.Seed,
            });
            using var burstsStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var bursts = DemoChaos.BurstsAsync(sandbox, options, burstsStop.Token);

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

            // Shipments: the warehouse confirms one shipment per order in Visma; Visma signals them
            // (unreliably: some dropped, some twice); the shipment sweep catches the rest.
            var shipmentNumbers = new List<string>();
            foreach (var spec in specs)
            {
                var shipment = sandbox.State.Visma.AddShipment(DemoScenario.CompanyTenantId, DemoScenario.ShipmentFor(spec, sandbox.State.Centra.Order(spec.Number!.Value)!));
                sandbox.State.Visma.ConfirmShipment(DemoScenario.CompanyTenantId, shipment.Number);
                shipmentNumbers.Add(shipment.Number);
            }

            var signals = await sandbox.SendVismaWebhooksAsync(new Junipeer.Sandbox.Visma.VismaWebhookRequest
            {
                TargetUrl = new Uri(host.BaseUri, $"api/webhooks/visma/{DemoScenario.IntegrationId}").ToString(),
                Secret = vismaWebhookSecret,
                ContextId = DemoScenario.CompanyTenantId,
                ShipmentNumbers = shipmentNumbers,
                DropRate = options.ShipmentSignalDropRate,
                DuplicateRate = options.ShipmentSignalDuplicateRate,
                Seed = options.Seed,
            }, ct);
            status($"shipments: {shipmentNumbers.Count} confirmed in Visma; signals {signals.Dropped.Count} dropped, {signals.Duplicated.Count} duplicated");

            var ledger = sp.GetRequiredService<ISyncLedger>();
            var invoicesNow = () => sandbox.State.Visma.Invoices(DemoScenario.CompanyTenantId).Count;
            int ShipmentsInCentra() => sandbox.State.Centra.Shipments().Select(x => x.AdditionalMessage).Distinct().Count();
            async Task<IReadOnlyList<LedgerEntry>> WaitAsync(Func<int, bool> until, bool shipmentsToo = false)
            {
                IReadOnlyList<LedgerEntry> seen = [];
                while (clock.Elapsed < options.Timeout)
                {
                    seen = await ledger.ListAsync(DemoScenario.IntegrationId, Flows.Orders, ct);
                    var finished = seen.Count(e => e.Status is LedgerStatus.Done or LedgerStatus.Failed);
                    progress(finished, specs.Count);
                    if (until(finished) && (!shipmentsToo || ShipmentsInCentra() >= shipmentNumbers.Count))
                    {
                        break;
                    }

                    await Task.Delay(250, ct);
                }

                return seen;
            }

            // Host kills: a real SIGKILL of the child mid-run, then a restart on the same storage.
            var finishedAtKill = new List<int>();
            var invoicesAtKill = new List<int>();
            for (var k = 0; k < options.HostKills; k++)
            {
                var target = specs.Count * (k + 1) / (options.HostKills + 2);
                var before = await WaitAsync(f => f >= target);
                finishedAtKill.Add(before.Count(e => e.Status is LedgerStatus.Done or LedgerStatus.Failed));
                invoicesAtKill.Add(invoicesNow());
                status($"host kill {k + 1}: SIGKILL the `junipeer run` child (pid {host.ProcessId}) with {finishedAtKill[^1]} of {specs.Count} orders finished; restarting it");
                host.KillHard();
                await host.DisposeAsync();
                host = await ChildHost.StartAsync(port, settings, options.ForwardHostOutput, ct);
            }

            var entries = await WaitAsync(f => f >= specs.Count, shipmentsToo: true);

            // Stock movements in Visma.net while the host runs; the stock timer carries them to Centra.
            DemoCatalogue.Move(sandbox);

            // Users edit customers in Centra and in Visma.net once the first customer sync has run (so each edit is an
            // update of a synced pair, counted as updatedInVisma / updatedInCentra); the customer timer carries it over.
            while (clock.Elapsed < options.Timeout && !DemoCustomers.Seeded(sandbox))
            {
                await Task.Delay(250, ct);
            }

            // A second later, as a user would: within the same second as the sync's own write, a pair that loses its
            // agreed content (the wipe below) cannot tell which side is newer (Centra's updatedAt has whole seconds).
            await Task.Delay(TimeSpan.FromMilliseconds(1100), ct);
            DemoCustomers.Change(sandbox);

            // Storage wipes: stop the host, delete every table and queue, start again, re-add the integration; the sweep re-reads Centra.
            int tablesDeleted = 0, queuesDeleted = 0, invoicesBeforeWipe = invoicesNow();
            for (var w = 0; w < options.StorageWipes; w++)
            {
                status($"storage wipe {w + 1}: stopping the host (SIGTERM), deleting every table and queue, re-adding the integration, sweeping again");
                await host.DisposeAsync();
                var (t, q) = await WipeAsync(storage!, prefix, ct);
                tablesDeleted += t;
                queuesDeleted += q;
                host = await ChildHost.StartAsync(port, settings, options.ForwardHostOutput, ct);

                // Fresh clients: the old ones remember tables that no longer exist.
                await sp.DisposeAsync();
                sp = Program.Services(settings);
                integrations = sp.GetRequiredService<IIntegrationStore>();
                ledger = sp.GetRequiredService<ISyncLedger>();
                await integrations.SaveAsync(integration, ct);

                // The SKU mappings went with the storage: the operator re-runs the re-import (a resumable
                // command; the 429 bursts go on meanwhile, so it is run again after a rate limit, as documented).
                await ReimportAsync(settings, integration, status, ct);

                await Task.Delay(500, ct);
                entries = await WaitAsync(f => f >= specs.Count, shipmentsToo: true);

                // The sweep re-reads every confirmed shipment after the wipe; let it run once more so a
                // second booking or Centra shipment, if the rails allowed one, would show in the counts.
                await Task.Delay(TimeSpan.FromSeconds(6), ct);
            }

            // Let the stock timer converge (every mapped SKU equal in Centra), bounded by the demo timeout.
            var nextNote = clock.Elapsed + TimeSpan.FromSeconds(10);
            while (clock.Elapsed < options.Timeout && (DemoCatalogue.Divergent(sandbox) > 0 || !DemoCustomers.Converged(sandbox)))
            {
                if (clock.Elapsed > nextNote)
                {
                    nextNote = clock.Elapsed + TimeSpan.FromSeconds(10);
                    var pending = DemoCustomers.Pending(sandbox);
                    status($"waiting for the timers: {DemoCatalogue.Divergent(sandbox)} SKUs differ between Visma.net and Centra; customers pending: {(pending.Count == 0 ? "none" : string.Join(", ", pending))}");
                }

                await Task.Delay(250, ct);
            }

            await burstsStop.CancelAsync();
            var burstCount = await bursts;
            // Payouts: the orders are invoiced; Stripe, Adyen and Klarna pay some of them (fees, a refund, an unknown order).
            integration = DemoPayouts.WithPayouts(integration, sandbox);
            await integrations.SaveAsync(integration, ct);
            var payoutPlan = await DemoPayouts.SeedAndSendAsync(sandbox, host.BaseUri, specs, status, ct, options.DropAdyenNotification);
            await DemoPayouts.WaitBookedAsync(sandbox, payoutPlan, clock, TimeSpan.FromSeconds(45), ct, specs);
            var payouts = DemoPayouts.Counts(sandbox, payoutPlan, specs);
            status($"payouts: {payouts.Booked} booked, {payouts.TransactionsMatched} sales matched, {payouts.TransactionsUnmatched} unmatched, {payouts.CreditNotes} credit notes, {payouts.BalanceMismatches} balance mismatches");

            // Products: Visma.net articles are the master; the product sync creates in Centra what only Visma.net has.
            integration = integration with { Products = new ProductFlowSettings { Direction = ProductDirection.VismaToCentra } };
            await integrations.SaveAsync(integration, ct);
            using (var engine = Program.Engine(settings))
            {
                var productRun = await engine.Services.GetRequiredService<Junipeer.Core.Products.ProductSyncHandler>().SyncAsync(integration, ct);
                status($"products: {productRun.Synced} articles synced to Centra ({productRun.CreatedInShop} products, variants and sizes created), {productRun.Failed.Count} failed");
            }

            productCounts = productCounts with { Synced = DemoCatalogue.ProductsSynced(sandbox) };

            var faults = new DemoFaults(
                new DemoHostKills(options.HostKills, options.HostKills, finishedAtKill, invoicesAtKill),
                new DemoStorageWipes(options.StorageWipes, tablesDeleted, queuesDeleted, invoicesBeforeWipe, invoicesNow(), invoicesNow() - invoicesBeforeWipe))
            {
                Injected = DemoChaos.Injected(sandbox, webhooks, signals, options.HostKills, options.StorageWipes, burstCount),
            };
            await host.DisposeAsync();
            var contract = await ContractViolationsAsync(sandbox, ct);
            var confirmed = sandbox.State.Visma.ShipmentsConfirmed;
            var centraByReference = sandbox.State.Centra.Shipments().Select(x => x.AdditionalMessage).ToHashSet();
            var reached = shipmentNumbers.Count(n => centraByReference.Contains(integration.Shipments.ReferencePrefix + n));
            var shipments = new DemoShipmentCounts(
                confirmed,
                sandbox.State.Visma.ShipmentSignals.Dropped,
                sandbox.State.NShift.Bookings.Select(b => b.Reference).Distinct().Count(),
                sandbox.State.NShift.DoubleBooked,
                reached,
                confirmed - reached)
            {
                ShopDuplicates = sandbox.State.Centra.Shipments().Where(x => x.AdditionalMessage is not null).GroupBy(x => x.AdditionalMessage).Sum(g => g.Count() - 1),
                DoubleBookedSamples = [.. sandbox.State.NShift.Bookings.Where(b => b.Reference is not null).GroupBy(b => b.Reference!)
                    .Where(g => g.Count() > 1).Take(10)
                    .Select(g => $"{g.Key}: {string.Join(", ", g.Select(b => $"{b.Id} at {(b.Created - runStart).TotalSeconds:0.0} s"))}")],
            };
            return Report(sandbox, specs, entries, webhooks, clock.Elapsed, payoutPlan) with
            {
                Faults = faults,
                Contract = contract,
                Products = productCounts,
                Stock = new DemoStock(DemoCatalogue.ChangedInVisma, sandbox.State.Centra.StockLevelsSet, sandbox.State.Stats.Count("centra POST /graphql SetStock"), DemoCatalogue.Divergent(sandbox)),
                Shipments = shipments,
                Preflight = preflight,
                Customers = DemoCustomers.Counts(sandbox),
                Payouts = payouts,
            };
        }
        finally
        {
            if (azurite is not null)
            {
                await azurite.DisposeAsync();
            }
        }
    }

    private static DemoReport Report(SandboxHost sandbox, List<CentraOrderSpec> specs, IReadOnlyList<LedgerEntry> entries, WebhookResult webhooks, TimeSpan elapsed, DemoPayouts.Plan? payoutPlan = null)
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

                // The open balance of a released invoice is what the PSP pays: the total less the gift certificates
                // (less what the demo's PSP payouts paid for it, see DemoPayouts).
                giftMismatches += list.Count(i => i.Balance != order.GrandTotal - order.GiftCertificate - DemoPayouts.PaidFor(payoutPlan, spec.Number!.Value));
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
        // Calls per order count the order flow only: the stock timer's inventory reads and the shipments
        // flow's /v1/shipment reads and writes are their own flows' cost.
        var total = vismaCalls.Where(kv => !kv.Key.Contains("/v1/inventory", StringComparison.OrdinalIgnoreCase) && !kv.Key.Contains("/v1/shipment", StringComparison.OrdinalIgnoreCase)).Sum(kv => kv.Value);
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
            Math.Round(elapsed.TotalSeconds, 1),
            new DemoFaults(new DemoHostKills(0, 0, [], []), new DemoStorageWipes(0, 0, 0, 0, 0, 0)),
            new DemoContract(0, []),
            [.. specs.Select(s => s.Number!.Value.ToString(CultureInfo.InvariantCulture))
                .Select(n => (n, e: entries.FirstOrDefault(e => e.Key.EntityKey == n)))
                .Where(x => x.e is null || x.e.Status is not (LedgerStatus.Done or LedgerStatus.Failed))
                .Select(x => x.e is null ? $"{x.n}: no ledger row" : $"{x.n}: {x.e.Status} {x.e.Phase} attempts {x.e.Attempts}")]);
    }

    /// <summary>
    /// <c>junipeer reimport products</c> as an operator runs it during the chaos: the command is resumable,
    /// and one that stops on a rate limit (ERP_RATE_LIMITED / SHOP_RATE_LIMITED, retryable) is run again
    /// after the Retry-After — at most 20 times, then the failure stands.
    /// </summary>
    private static async Task ReimportAsync(Dictionary<string, string?> settings, Integration integration, Action<string> status, CancellationToken ct)
    {
        for (var run = 1; ; run++)
        {
            try
            {
                using var engine = Program.Engine(settings);
                await engine.Services.GetRequiredService<Junipeer.Core.Products.SkuCatalogue>().ReimportAsync(integration, null, ct);
                return;
            }
            catch (Junipeer.Core.Errors.JunipeerException ex) when (ex.Retryable && run < 20)
            {
                var wait = ex.RetryAfter ?? TimeSpan.FromSeconds(1);
                status($"reimport products stopped ({ex.Code}: {ex.Message}); running it again in {wait.TotalSeconds:0} s");
                await Task.Delay(wait, ct);
            }
        }
    }

    /// <summary>Reads the Sandbox's contract-violation record over its control plane.</summary>
    private static async Task<DemoContract> ContractViolationsAsync(SandboxHost sandbox, CancellationToken ct)
    {
        using var http = new HttpClient();
        using var doc = JsonDocument.Parse(await http.GetStringAsync(new Uri(sandbox.ControlBase, "contract/violations"), ct));
        var samples = doc.RootElement.TryGetProperty("violations", out var v) && v.ValueKind == JsonValueKind.Array
            ? v.EnumerateArray().Take(5).Select(x => x.ToString()).ToList()
            : [];
        return new DemoContract(doc.RootElement.GetProperty("count").GetInt32(), samples);
    }

    /// <summary>Deletes every table and queue of this run (its name prefix).</summary>
    private static async Task<(int Tables, int Queues)> WipeAsync(string connectionString, string prefix, CancellationToken ct)
    {
        var tables = new Azure.Data.Tables.TableServiceClient(connectionString);
        var tableNames = new List<string>();
        await foreach (var t in tables.QueryAsync(cancellationToken: ct))
        {
            if (t.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                tableNames.Add(t.Name);
            }
        }

        foreach (var name in tableNames)
        {
            await tables.DeleteTableAsync(name, ct);
        }

        var queues = new Azure.Storage.Queues.QueueServiceClient(connectionString);
        var queueNames = new List<string>();
        await foreach (var q in queues.GetQueuesAsync(prefix: prefix + "-", cancellationToken: ct))
        {
            queueNames.Add(q.Name);
        }

        foreach (var name in queueNames)
        {
            await queues.DeleteQueueAsync(name, ct);
        }

        return (tableNames.Count, queueNames.Count);
    }
}
