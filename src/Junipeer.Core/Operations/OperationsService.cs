using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Orders;
using Junipeer.Core.Payouts;
using Junipeer.Core.Sync;
using Microsoft.Extensions.Logging;

namespace Junipeer.Core.Operations;

/// <summary>
/// The operations an operator runs on an integration, shared by the console's API and the CLI:
/// overview per flow (last success, backlog, synced vs failed per day), failed entities with the
/// catalogue's cause and fix, Retry, bulk retry of failures, Backfill from a date, poison-queue
/// replay and the event log. Every change is an enqueue: the flows' exactly-once rails make a
/// repeated or needless one harmless.
/// </summary>
public sealed class OperationsService(
    IIntegrationStore integrations,
    ISyncLedger ledger,
    IEventLog events,
    IWorkQueue queue,
    IQueueInspector queues,
    IEnumerable<IBackfillSource> backfillSources,
    IEnumerable<IConnectionStatusSource> connectionSources,
    ICheckpointStore checkpoints,
    TimeProvider time,
    ILogger<OperationsService> logger)
{
    public const int DefaultDays = 14;
    public const int MaxDays = 90;

    /// <summary>The flows that keep ledger rows (stock keeps none: absolute levels make a repeat harmless).</summary>
    public static IReadOnlyList<OperationFlow> KnownFlows { get; } =
    [
        new(Flows.Orders, WorkKinds.Order, "Orders → invoices", null),
        new(Flows.Customers, null, "Customers (per buyer)", Flows.Orders),
        new(Flows.Shipments, WorkKinds.Shipment, "Shipments", null),
        new(PayoutFlows.Payouts, WorkKinds.Payout, "Payouts", null),
        new(PayoutFlows.PayoutPayments, null, "Payout payments", PayoutFlows.Payouts),
        new(PayoutFlows.Refunds, null, "Refunds → credit notes", PayoutFlows.Payouts),
        new(Flows.ShopCustomers, null, "Customers Visma.net → Centra", null, "CustomerSync"),
    ];

    private readonly Dictionary<string, IBackfillSource> _backfill = backfillSources.ToDictionary(b => b.Flow, StringComparer.Ordinal);

    public static OperationFlow FlowOrThrow(string flow) =>
        KnownFlows.FirstOrDefault(f => string.Equals(f.Name, flow, StringComparison.Ordinal))
        ?? throw new JunipeerException(ErrorCodes.OperationFlowNotSupported,
            $"Unknown flow '{flow}'. Flows with ledger rows: {string.Join(", ", KnownFlows.Select(f => f.Name))}.");

    /// <summary>The integration, or INTEGRATION_NOT_FOUND.</summary>
    public async Task<Integration> RequireAsync(string integrationId, CancellationToken ct) =>
        await integrations.GetAsync(integrationId, ct)
        ?? throw new JunipeerException(ErrorCodes.IntegrationNotFound, $"No integration '{integrationId}' in this storage (see `junipeer integration list`).");

    public Task<IReadOnlyList<Integration>> ListIntegrationsAsync(CancellationToken ct) => integrations.ListAsync(ct);

    public async Task<IntegrationOverview> OverviewAsync(string integrationId, int days, CancellationToken ct)
    {
        var integration = await RequireAsync(integrationId, ct);
        if (days is < 1 or > MaxDays)
        {
            throw new JunipeerException(ErrorCodes.OperationRequestInvalid, $"days must be between 1 and {MaxDays} (was {days}).");
        }

        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var flows = new List<FlowOverview>();
        foreach (var flow in KnownFlows)
        {
            var rows = await ledger.ListAsync(integration.Id, flow.Name, ct);
            if (rows.Count == 0 && flow.ParentFlow is not null)
            {
                continue; // sub-rows appear only where the parent flow made some
            }

            if (rows.Count == 0 && flow.Name == Flows.ShopCustomers && !(integration.Customers.Enabled && integration.Customers.ToShop))
            {
                continue; // the Visma.net → Centra direction is off and never made rows
            }

            var byDay = Enumerable.Range(0, days).Select(i => today.AddDays(i - days + 1)).ToList();
            int CountOn(DateOnly d, LedgerStatus s) => rows.Count(r => r.Status == s && r.UpdatedAt is { } at && DateOnly.FromDateTime(at.UtcDateTime) == d);
            flows.Add(new FlowOverview
            {
                Flow = flow.Name,
                Label = flow.Label,
                LastSuccessAt = rows.Where(r => r.Status == LedgerStatus.Done).Max(r => r.UpdatedAt),
                Total = rows.Count,
                Done = rows.Count(r => r.Status == LedgerStatus.Done),
                Failed = rows.Count(r => r.Status == LedgerStatus.Failed),
                Skipped = rows.Count(r => r.Status == LedgerStatus.Skipped),
                Queued = rows.Count(r => r.Status == LedgerStatus.Pending),
                InProgress = rows.Count(r => r.Status == LedgerStatus.InProgress),
                QueueLength = flow.WorkKind is null ? null : await SafeLengthAsync(flow.WorkKind, false, ct),
                PoisonQueueLength = flow.WorkKind is null ? null : await SafeLengthAsync(flow.WorkKind, true, ct),
                CanRetry = flow.WorkKind is not null,
                CanBackfill = _backfill.ContainsKey(flow.Name),
                Timer = flow.Timer,
                SyncedUpTo = flow.Name == Flows.ShopCustomers ? await checkpoints.GetAsync(integration.Id, Flows.CustomersFromErp, ct) : null,
                Days = byDay.Select(d => new DayCount(d, CountOn(d, LedgerStatus.Done), CountOn(d, LedgerStatus.Failed))).ToList(),
            });
        }

        if (integration.Stock.Enabled)
        {
            flows.Add(await StockOverviewAsync(integration.Id, days, today, ct));
        }

        IReadOnlyList<ConnectionState>? connections = null;
        foreach (var source in connectionSources)
        {
            connections = [.. connections ?? [], .. await source.GetAsync(integration.Id, ct)];
        }

        return new IntegrationOverview
        {
            IntegrationId = integration.Id,
            Name = integration.Name,
            Connections = connections,
            Flows = flows,
            FailedTotal = flows.Sum(f => f.Failed),
            GeneratedAt = now,
        };
    }

    /// <summary>
    /// Stock keeps no ledger rows (absolute levels make a repeat harmless): what it synced is its checkpoint
    /// (the newest availability change sent, advanced only when every call was accepted); its failures are
    /// operator events, counted per day.
    /// </summary>
    private async Task<FlowOverview> StockOverviewAsync(string integrationId, int days, DateOnly today, CancellationToken ct)
    {
        var byDay = Enumerable.Range(0, days).Select(i => today.AddDays(i - days + 1)).ToList();
        var recent = (await events.ListAsync(integrationId, 1000, ct)).Where(e => e.Flow == Flows.Stock && e.Severity is EventSeverity.Error or EventSeverity.Warning).ToList();
        return new FlowOverview
        {
            Flow = Flows.Stock,
            Label = "Stock Visma.net → Centra (no ledger rows)",
            Timer = "StockSync",
            SyncedUpTo = await checkpoints.GetAsync(integrationId, Flows.Stock, ct),
            HasLedgerRows = false,
            Failed = recent.Count(e => DateOnly.FromDateTime(e.At.UtcDateTime) >= byDay[0]),
            Days = byDay.Select(d => new DayCount(d, 0, recent.Count(e => DateOnly.FromDateTime(e.At.UtcDateTime) == d))).ToList(),
        };
    }

    private async Task<int?> SafeLengthAsync(string kind, bool poison, CancellationToken ct)
    {
        try
        {
            return await queues.LengthAsync(kind, poison, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning("Queue length of {Kind} (poison: {Poison}) could not be read: {Message}", kind, poison, ex.Message);
            return null;
        }
    }

    /// <summary>The failed entities, optionally of one flow and one code, oldest change first, with the catalogue's cause and fix.</summary>
    public async Task<IReadOnlyList<FailedEntity>> FailedAsync(string integrationId, string? flow, string? code, CancellationToken ct)
    {
        var integration = await RequireAsync(integrationId, ct);
        if (code is not null && !ErrorCodes.All.Any(e => e.Code == code))
        {
            throw new JunipeerException(ErrorCodes.OperationRequestInvalid, $"Unknown error code '{code}' (docs/error-codes.md lists them).");
        }

        var flows = flow is null ? KnownFlows : [FlowOrThrow(flow)];
        var list = new List<FailedEntity>();
        foreach (var f in flows)
        {
            foreach (var row in await ledger.ListByStatusAsync(integration.Id, f.Name, LedgerStatus.Failed, ct))
            {
                if (code is null || row.ErrorCode == code)
                {
                    list.Add(Describe(f, row));
                }
            }
        }

        return list.OrderBy(e => e.UpdatedAt).ThenBy(e => e.EntityKey, StringComparer.Ordinal).ToList();
    }

    public static FailedEntity Describe(OperationFlow flow, LedgerEntry row)
    {
        var def = row.ErrorCode is null ? null : ErrorCodes.All.FirstOrDefault(e => e.Code == row.ErrorCode);
        return new FailedEntity
        {
            Flow = flow.Name,
            EntityKey = row.Key.EntityKey,
            Code = row.ErrorCode,
            Message = row.ErrorMessage,
            Title = def?.Message,
            Cause = def?.Cause,
            Fix = def?.Fix,
            RetriesByItself = OrderSweepHandler.RetriesByItself(row.ErrorCode),
            Attempts = row.Attempts,
            UpdatedAt = row.UpdatedAt,
            CanRetry = flow.WorkKind is not null,
            RetryNote = flow.RetryNote,
            Documents = row.Documents,
        };
    }

    /// <summary>One entity's ledger row as the console shows it (status, documents, error with the catalogue's fix).</summary>
    public async Task<EntityState> EntityAsync(string integrationId, string flow, string entityKey, CancellationToken ct)
    {
        var integration = await RequireAsync(integrationId, ct);
        var f = FlowOrThrow(flow);
        if (string.IsNullOrWhiteSpace(entityKey))
        {
            throw new JunipeerException(ErrorCodes.OperationRequestInvalid, "An entity key is required.");
        }

        var row = await ledger.GetAsync(new LedgerKey(integration.Id, f.Name, entityKey), ct)
                  ?? throw new JunipeerException(ErrorCodes.LedgerEntityNotFound, $"{f.Name} '{entityKey}' has no ledger row in integration '{integration.Id}'.");
        var fix = row.ErrorCode is null ? null : ErrorCodes.All.FirstOrDefault(e => e.Code == row.ErrorCode)?.Fix;
        return new EntityState(f.Name, entityKey, row.Status.ToString(), row.Phase, row.Documents, row.Status == LedgerStatus.Done ? null : row.ErrorCode,
            row.Status == LedgerStatus.Done ? null : row.ErrorMessage, row.Status == LedgerStatus.Done ? null : fix, row.Attempts, row.UpdatedAt);
    }

    /// <summary>The ledger rows of one flow (for listings).</summary>
    public async Task<IReadOnlyList<LedgerEntry>> LedgerAsync(string integrationId, string flow, CancellationToken ct) =>
        await ledger.ListAsync(integrationId, FlowOrThrow(flow).Name, ct);

    /// <summary>Enqueues the given entities whether or not they have ledger rows (replay by key); returns the enqueue time.</summary>
    public async Task<DateTimeOffset> EnqueueAsync(string integrationId, string flow, IReadOnlyList<string> keys, CancellationToken ct)
    {
        var integration = await RequireAsync(integrationId, ct);
        var f = RetryableFlow(flow);
        var now = time.GetUtcNow();
        foreach (var key in keys)
        {
            if (string.IsNullOrWhiteSpace(key))
            {
                throw new JunipeerException(ErrorCodes.OperationRequestInvalid, "An empty entity key cannot be replayed.");
            }

            await queue.EnqueueAsync(Item(f, integration.Id, key, "retry", now), null, ct);
        }

        return now;
    }

    /// <summary>Re-enqueues one entity (after its cause was fixed). A Done row is left alone; anything else is queued again.</summary>
    public async Task<RetryResult> RetryAsync(string integrationId, string flow, string entityKey, CancellationToken ct)
    {
        var integration = await RequireAsync(integrationId, ct);
        var f = RetryableFlow(flow);
        if (string.IsNullOrWhiteSpace(entityKey))
        {
            throw new JunipeerException(ErrorCodes.OperationRequestInvalid, "An entity key (order number, shipment number, provider:payout id) is required.");
        }

        var row = await ledger.GetAsync(new LedgerKey(integration.Id, f.Name, entityKey), ct)
                  ?? throw new JunipeerException(ErrorCodes.LedgerEntityNotFound,
                      $"{f.Name} '{entityKey}' has no ledger row in integration '{integration.Id}' (use backfill to sync entities never seen).");
        var now = time.GetUtcNow();
        if (row.Status == LedgerStatus.Done)
        {
            return new RetryResult(f.Name, entityKey, row.Status.ToString(), false, "already done: nothing to retry", now);
        }

        await queue.EnqueueAsync(Item(f, integration.Id, entityKey, "retry", now), null, ct);
        logger.LogInformation("Operator retry of {Flow} {EntityKey} in {IntegrationId} (was {Status} {ErrorCode})", f.Name, entityKey, integration.Id, row.Status, row.ErrorCode);
        return new RetryResult(f.Name, entityKey, row.Status.ToString(), true, null, now);
    }

    /// <summary>Re-enqueues every failed entity of a flow (optionally only those with <paramref name="code"/>).</summary>
    public async Task<BulkRetryResult> RetryFailedAsync(string integrationId, string flow, string? code, CancellationToken ct)
    {
        var f = RetryableFlow(flow);
        var failed = await FailedAsync(integrationId, f.Name, code, ct);
        var now = time.GetUtcNow();
        var keys = new List<string>();
        foreach (var e in failed)
        {
            await queue.EnqueueAsync(Item(f, integrationId, e.EntityKey, "retry", now), null, ct);
            keys.Add(e.EntityKey);
        }

        logger.LogInformation("Operator bulk retry of {Count} failed {Flow} in {IntegrationId} (code {Code})", keys.Count, f.Name, integrationId, code ?? "any");
        return new BulkRetryResult(f.Name, code, keys, now);
    }

    /// <summary>
    /// Re-syncs a period: asks the flow's source for entities changed since <paramref name="from"/> (as the
    /// sweep does, without touching its checkpoint) and enqueues the owned ones not Done — failed ones too.
    /// </summary>
    public async Task<BackfillResult> BackfillAsync(string integrationId, string flow, DateTimeOffset from, CancellationToken ct)
    {
        var integration = await RequireAsync(integrationId, ct);
        var f = FlowOrThrow(flow);
        if (!_backfill.TryGetValue(f.Name, out var source) || f.WorkKind is null)
        {
            throw new JunipeerException(ErrorCodes.OperationFlowNotSupported,
                $"Backfill is not available for flow '{f.Name}' (available: {string.Join(", ", _backfill.Keys.Order(StringComparer.Ordinal))}).");
        }

        var now = time.GetUtcNow();
        if (from > now)
        {
            throw new JunipeerException(ErrorCodes.OperationRequestInvalid, $"Backfill from {from:O} is in the future.");
        }

        int seen = 0, enqueued = 0, done = 0, foreign = 0;
        var correlation = $"backfill-{Guid.NewGuid():N}";
        await foreach (var c in source.ChangedSinceAsync(integration, from, ct))
        {
            seen++;
            if (!c.Owned)
            {
                foreign++;
                continue;
            }

            var row = await ledger.GetAsync(new LedgerKey(integration.Id, f.Name, c.EntityKey), ct);
            if (row?.Status == LedgerStatus.Done)
            {
                done++;
                continue;
            }

            await queue.EnqueueAsync(Item(f, integration.Id, c.EntityKey, "backfill", now, correlation), null, ct);
            enqueued++;
        }

        logger.LogInformation("Backfill of {Flow} in {IntegrationId} from {From}: {Seen} changed, {Enqueued} enqueued, {Done} done, {Foreign} owned by another integration",
            f.Name, integration.Id, from, seen, enqueued, done, foreign);
        return new BackfillResult(f.Name, from, seen, enqueued, done, foreign);
    }

    /// <summary>
    /// Poison replay: the messages of this integration still on a poison queue go back to their work queue,
    /// and every row the poison handler failed (SYNC_RETRIES_EXHAUSTED) is queued again.
    /// </summary>
    public async Task<PoisonReplayResult> ReplayPoisonAsync(string integrationId, CancellationToken ct)
    {
        var integration = await RequireAsync(integrationId, ct);
        var now = time.GetUtcNow();
        var entities = new List<string>();
        var fromQueues = 0;
        foreach (var f in KnownFlows.Where(f => f.WorkKind is not null))
        {
            fromQueues += await queues.DrainPoisonAsync(f.WorkKind!, integration.Id, async item =>
            {
                await queue.EnqueueAsync(item with { Reason = WorkReasons.Replay, EnqueuedAt = now, Requeues = 0 }, null, ct);
                entities.Add($"{f.Name}:{item.EntityKey}");
            }, ct);
        }

        var fromLedger = 0;
        foreach (var f in KnownFlows.Where(f => f.WorkKind is not null))
        {
            foreach (var row in await ledger.ListByStatusAsync(integration.Id, f.Name, LedgerStatus.Failed, ct))
            {
                if (row.ErrorCode == ErrorCodes.PoisonMessage && !entities.Contains($"{f.Name}:{row.Key.EntityKey}"))
                {
                    await queue.EnqueueAsync(Item(f, integration.Id, row.Key.EntityKey, "poison-replay", now), null, ct);
                    entities.Add($"{f.Name}:{row.Key.EntityKey}");
                    fromLedger++;
                }
            }
        }

        logger.LogInformation("Poison replay in {IntegrationId}: {FromQueues} from poison queues, {FromLedger} failed rows", integration.Id, fromQueues, fromLedger);
        return new PoisonReplayResult(fromQueues, fromLedger, entities);
    }

    /// <summary>The event log, newest first, filtered by entity reference (substring, case-insensitive), severity and flow.</summary>
    public async Task<IReadOnlyList<OperatorEvent>> EventsAsync(string integrationId, EventQuery query, CancellationToken ct)
    {
        var integration = await RequireAsync(integrationId, ct);
        if (query.Take is < 1 or > 1000)
        {
            throw new JunipeerException(ErrorCodes.OperationRequestInvalid, $"take must be between 1 and 1000 (was {query.Take}).");
        }

        // Filters run over a window of recent events (the table is newest first); a filter narrows what is shown.
        var all = await events.ListAsync(integration.Id, query.Reference is null && query.Severity is null && query.Flow is null ? query.Take : 1000, ct);
        return all.Where(e => query.Reference is null || e.EntityKey.Contains(query.Reference, StringComparison.OrdinalIgnoreCase))
            .Where(e => query.Severity is null || e.Severity == query.Severity)
            .Where(e => query.Flow is null || e.Flow == query.Flow)
            .Take(query.Take)
            .ToList();
    }

    /// <summary>
    /// Polls the ledger until every entity changed after <paramref name="since"/> and is Done or Failed (or
    /// the timeout passes), reporting progress after each poll.
    /// </summary>
    public async Task<WaitProgress> WaitAsync(string integrationId, string flow, IReadOnlyCollection<string> keys, DateTimeOffset since,
        TimeSpan timeout, TimeSpan pollEvery, Action<WaitProgress>? progress, CancellationToken ct)
    {
        var f = FlowOrThrow(flow);
        var deadline = time.GetUtcNow() + timeout;
        while (true)
        {
            int done = 0, failed = 0;
            var failures = new List<FailedEntity>();
            foreach (var key in keys)
            {
                var row = await ledger.GetAsync(new LedgerKey(integrationId, f.Name, key), ct);
                if (row is null || row.UpdatedAt is not { } at || at < since)
                {
                    continue;
                }

                if (row.Status == LedgerStatus.Done)
                {
                    done++;
                }
                else if (row.Status is LedgerStatus.Failed or LedgerStatus.Skipped)
                {
                    failed++;
                    failures.Add(Describe(f, row));
                }
            }

            var timedOut = time.GetUtcNow() >= deadline;
            var p = new WaitProgress(keys.Count, done, failed, keys.Count - done - failed, failures, timedOut && done + failed < keys.Count);
            progress?.Invoke(p);
            if (done + failed == keys.Count || timedOut)
            {
                return p;
            }

            await Task.Delay(pollEvery, time, ct);
        }
    }

    private static OperationFlow RetryableFlow(string flow)
    {
        var f = FlowOrThrow(flow);
        return f.WorkKind is not null ? f
            : f.ParentFlow is not null ? throw new JunipeerException(ErrorCodes.OperationFlowNotSupported,
                $"Rows of flow '{f.Name}' are synced by their {f.ParentFlow} work item: retry the {f.ParentFlow} entity instead.")
            : throw new JunipeerException(ErrorCodes.OperationFlowNotSupported,
                $"Rows of flow '{f.Name}' are synced by the {f.Timer} timer: fix the cause and the next {f.Timer} run retries them.");
    }

    private static WorkItem Item(OperationFlow flow, string integrationId, string key, string reason, DateTimeOffset now, string? correlation = null) => new()
    {
        Kind = flow.WorkKind!,
        IntegrationId = integrationId,
        EntityKey = key,
        Reason = reason == "retry" ? WorkReasons.Replay : reason,
        CorrelationId = $"{correlation ?? reason + "-" + Guid.NewGuid().ToString("N")}-{key}",
        EnqueuedAt = now,
    };
}
