using System.Collections.Concurrent;
using System.Globalization;
using Junipeer.Core.Erp;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Options;
using Junipeer.Core.Products;
using Junipeer.Core.Shop;
using Junipeer.Core.Sync;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Junipeer.Core.Stock;

/// <summary>What one stock run did for one integration.</summary>
public sealed record StockRunResult
{
    /// <summary>Article × mapped-warehouse lines read from the ERP delta.</summary>
    public int Read { get; init; }

    /// <summary>Lines whose quantity differed from what this process last sent (so were sent).</summary>
    public int Sent { get; init; }

    /// <summary>Lines skipped because the quantity was already sent.</summary>
    public int Unchanged { get; init; }

    /// <summary>Articles without a SKU mapping (STOCK_SKU_UNMAPPED), plus SKUs the shop did not know.</summary>
    public IReadOnlyList<string> Unmapped { get; init; } = [];

    /// <summary>Shop calls (setStock) made.</summary>
    public int ShopCalls { get; init; }

    /// <summary>The checkpoint after the run (the newest availability timestamp seen), if any.</summary>
    public DateTimeOffset? Checkpoint { get; init; }

    /// <summary>Set when the integration was not synced (e.g. SKU_MAPPING_CHANGED, an outage).</summary>
    public string? ErrorCode { get; init; }

    /// <summary>Set when no pass ran because another one held the integration's pass lease (it covers the same changes or the next one will).</summary>
    public string? SkippedBecause { get; init; }

    /// <summary>No pass ran because a pass that started after the hint was received completed (coalesced hints).</summary>
    public bool Coalesced { get; init; }
}

/// <summary>The pass row has no phases: only its fenced lease and its facts are used.</summary>
public enum StockPassPhase
{
    Idle,
}

/// <summary>
/// Stock, Visma.net → Centra, timer-driven. Per integration with stock on:
/// <list type="number">
/// <item>Load the SKU mappings (article → shop SKU); refused with SKU_MAPPING_CHANGED when they were built
/// with another SKU rule.</item>
/// <item>Read the articles whose availability changed since the checkpoint minus the overlap
/// (<c>availabilityLastModifiedDateTime &gt;=</c>), page by page; without a checkpoint, every article.</item>
/// <item>For each mapped warehouse take the configured quantity (whole units, never below 0). Send it only
/// when it differs from what this process last sent for that SKU and warehouse: the overlap re-reads
/// the same changes, and a restart forgets, so it resends at most the overlap window (absolute values: harmless).</item>
/// <item>Batch per shop warehouse, <c>Stock.BatchSize</c> sizes per setStock call.</item>
/// <item>An article with no mapping is reported (STOCK_SKU_UNMAPPED event) and skipped, not fatal.</item>
/// <item>Only when every batch was accepted does the checkpoint advance, to the newest availability
/// timestamp read. A failure (5xx, lost response, crash) leaves it, so the next run reads the same
/// changes again and the shop converges to the ERP's quantities.</item>
/// </list>
/// Exactly-once is not needed for the writes: every write is an absolute level (a repeat changes nothing) and
/// the flow never creates documents. Passes of one integration must not overlap, though (an older pass's late
/// write could land after a newer one's and the checkpoint would vouch for it): <see cref="RunPassAsync"/> runs a
/// pass under the fenced lease of <see cref="ExactlyOnce"/> on one ledger row per integration (flow
/// <c>stock-pass</c>), fencing before every setStock call, so a pass whose lease lapsed stops before writing.
/// The timer and the webhook hints (<see cref="StockHintHandler"/>) both go through it; the row's facts keep
/// the start of the last completed pass, which is how hints are coalesced.
/// </summary>
public sealed class StockSyncHandler(
    IIntegrationStore integrations,
    IErpResolver erps,
    IShopCatalogue shop,
    ICheckpointStore checkpoints,
    SkuMappingGuard guard,
    IEventLog events,
    TimeProvider time,
    ILogger<StockSyncHandler> logger,
    ExactlyOnce exactlyOnce,
    IOptions<JunipeerOptions> options,
    Shadow.IShadowLog shadowLog)
{
    /// <summary>Fact on the pass row: when the last completed pass started (ISO 8601).</summary>
    public const string LastPassStartedFact = "lastPassStartedAt";

    /// <summary>Fact on the pass row: which handler instance completed the last pass.</summary>
    public const string LastPassOwnerFact = "lastPassOwner";

    /// <summary>Entity key of the pass row (flow <c>stock-pass</c>).</summary>
    public const string PassKey = "pass";

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _local = new(StringComparer.Ordinal);
    private readonly string _owner = "stock-" + Guid.NewGuid().ToString("N")[..12];

    private TimeSpan Hold => TimeSpan.FromSeconds(options.Value.Orders.LeaseSeconds);

    /// <summary>At most this many STOCK_SKU_UNMAPPED events per run (the rest are counted in one summary event).</summary>
    public const int MaxUnmappedEvents = 20;

    private readonly ConcurrentDictionary<string, ConcurrentDictionary<(string Warehouse, string Sku), int>> _sent = new(StringComparer.Ordinal);

    /// <summary>Every integration with stock on; one integration's failure does not stop the others.</summary>
    public async Task<IReadOnlyDictionary<string, StockRunResult>> RunAsync(CancellationToken ct)
    {
        var results = new Dictionary<string, StockRunResult>(StringComparer.Ordinal);
        foreach (var integration in await integrations.ListAsync(ct))
        {
            if (!integration.Stock.Enabled)
            {
                continue;
            }

            results[integration.Id] = await RunReportedAsync(integration, "timer", ct);
        }

        return results;
    }

    /// <summary>
    /// <see cref="RunPassAsync"/> with failures reported (operator event, log) instead of thrown; the checkpoint stays
    /// put, so the next pass reads the same changes.
    /// </summary>
    public async Task<StockRunResult> RunReportedAsync(Integration integration, string trigger, CancellationToken ct, DateTimeOffset? coveredAfter = null)
    {
        ArgumentNullException.ThrowIfNull(integration);
        try
        {
            return await RunPassAsync(integration, trigger, ct, coveredAfter);
        }
        catch (JunipeerException ex)
        {
            logger.LogError(ex, "{ErrorCode}: stock sync failed for integration {IntegrationId}", ex.Code, integration.Id);
            await events.AppendAsync(new OperatorEvent
            {
                IntegrationId = integration.Id, Flow = Flows.Stock, EntityKey = "stock", Severity = ex.Retryable ? EventSeverity.Warning : EventSeverity.Error,
                Message = ex.Message, ErrorCode = ex.Code, Fix = ErrorCodes.All.FirstOrDefault(e => e.Code == ex.Code)?.Fix, At = time.GetUtcNow(),
            }, ct);
            return new StockRunResult { ErrorCode = ex.Code };
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Stock sync failed for integration {IntegrationId}; its checkpoint stays put", integration.Id);
            return new StockRunResult { ErrorCode = "UNEXPECTED" };
        }
    }

    /// <summary>When the last completed pass of the integration started (null: none on record, e.g. after a storage loss).</summary>
    public async Task<DateTimeOffset?> LastPassStartedAsync(string integrationId, CancellationToken ct)
    {
        var work = await exactlyOnce.OpenAsync<StockPassPhase>(new LedgerKey(integrationId, Flows.StockPass, PassKey), _owner, null, Hold, ct);
        return LastPassStarted(work.Entry);
    }

    private static DateTimeOffset? LastPassStarted(LedgerEntry entry) =>
        entry.Facts.TryGetValue(LastPassStartedFact, out var raw)
        && DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at)
            ? at
            : null;

    /// <summary>
    /// One pass under the integration's pass lease (see the class summary). Callers in this process wait for a pass
    /// already running here; a pass running on another instance answers <see cref="StockRunResult.SkippedBecause"/>.
    /// On success the row keeps the pass's start (<see cref="LastPassStartedFact"/>).
    /// </summary>
    /// <param name="coveredAfter">A hint's receipt time: when the last completed pass started after it, no pass runs
    /// (<see cref="StockRunResult.Coalesced"/>): that pass read the availability after the change the hint announced.</param>
    public async Task<StockRunResult> RunPassAsync(Integration integration, string trigger, CancellationToken ct, DateTimeOffset? coveredAfter = null)
    {
        ArgumentNullException.ThrowIfNull(integration);
        var gate = _local.GetOrAdd(integration.Id, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            var key = new LedgerKey(integration.Id, Flows.StockPass, PassKey);
            var work = await exactlyOnce.OpenAsync<StockPassPhase>(key, _owner, $"stock-{trigger}-{Guid.NewGuid():N}", Hold, ct);
            if (coveredAfter is { } received && LastPassStarted(work.Entry) is { } last && last > received)
            {
                logger.LogInformation("Stock hint for {IntegrationId} coalesced: the pass that started at {PassStarted} covers it (received {Received})",
                    integration.Id, last, received);
                return new StockRunResult { Coalesced = true };
            }

            var started = time.GetUtcNow();
            try
            {
                await work.FenceAsync(null, ct);
            }
            catch (LeaseHeldException ex)
            {
                logger.LogInformation("Stock pass ({Trigger}) for {IntegrationId} not started: another instance runs one until {LeaseUntil}",
                    trigger, integration.Id, ex.LeaseUntil);
                return new StockRunResult { SkippedBecause = $"another stock pass holds the lease until {ex.LeaseUntil:O}" };
            }

            // What this process remembers as sent is only true while its passes are the only ones: when another
            // instance (a hint runs wherever its queue message lands) completed the last pass, it may have set other
            // levels since, and skipping a SKU "already at 5" would leave Centra at that instance's 3 for good.
            if (!work.Entry.Facts.TryGetValue(LastPassOwnerFact, out var lastOwner) || !string.Equals(lastOwner, _owner, StringComparison.Ordinal))
                ForgetSent(integration.Id);

            StockRunResult result;
            try
            {
                result = await SyncAsync(integration, c => work.FenceAsync(null, c), ct);
            }
            catch (LeaseLostException ex)
            {
                logger.LogWarning("Stock pass ({Trigger}) for {IntegrationId} stopped before a write: {Reason}. Its checkpoint stays put.", trigger, integration.Id, ex.Message);
                return new StockRunResult { SkippedBecause = "the pass lost its lease (it ran longer than the lease, or storage was lost); nothing more was written" };
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                try
                {
                    // Give the lease back at once so the next pass (timer or hint) need not wait for it to lapse.
                    await work.ReleaseAsync((ex as JunipeerException)?.Code ?? "UNEXPECTED", ex.Message, CancellationToken.None);
                }
                catch (Exception releaseFailure) when (releaseFailure is not OperationCanceledException)
                {
                    logger.LogWarning(releaseFailure, "Stock pass lease of {IntegrationId} not given back; it lapses by itself", integration.Id);
                }

                throw;
            }

            work.Note(LastPassStartedFact, started.ToString("O", CultureInfo.InvariantCulture));
            work.Note(LastPassOwnerFact, _owner);
            // "Skipped" is the idle state of this row: not Done (a Done row is never leased again), no lease, no error.
            await work.CompleteAsync(LedgerStatus.Skipped, ct, $"idle; last pass ({trigger}) completed");
            return result;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>One pass without the pass lease (tests and the benchmark call it directly; the timer and hints use <see cref="RunPassAsync"/>).</summary>
    public Task<StockRunResult> SyncAsync(Integration integration, CancellationToken ct) => SyncAsync(integration, null, ct);

    private async Task<StockRunResult> SyncAsync(Integration integration, Func<CancellationToken, Task>? fence, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(integration);
        var correlationId = $"stock-{Guid.NewGuid():N}";
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["CorrelationId"] = correlationId, ["IntegrationId"] = integration.Id });
        var settings = integration.Stock;
        var articles = erps.For(integration) as IErpArticles
                       ?? throw new JunipeerException(ErrorCodes.IntegrationSettingsInvalid, $"The ERP connector of integration '{integration.Id}' ({integration.Erp.Kind}) cannot read articles; turn Stock off.");
        var mappings = await guard.LoadAsync(integration, ct);
        // Shadow mode: the same reads and decisions, but no setStock is sent; the levels are recorded per Centra
        // warehouse in the Shadow table (flow "stock"), with their own checkpoint and no memory of "sent".
        var shadow = integration.Mode == IntegrationMode.Shadow;
        var checkpointFlow = shadow ? Flows.Stock + "-shadow" : Flows.Stock;
        var wouldSet = new Dictionary<string, Dictionary<string, Shadow.ShadowStockLevel>>(StringComparer.Ordinal);
        var articleOf = new Dictionary<string, string>(StringComparer.Ordinal);
        var sent = shadow ? new ConcurrentDictionary<(string, string), int>() : _sent.GetOrAdd(integration.Id + "|" + mappings.Fingerprint, _ => new ConcurrentDictionary<(string, string), int>());
        var warehouseMap = settings.Warehouses.ToDictionary(w => w.VismaWarehouseId, w => w.CentraWarehouseId.ToString(CultureInfo.InvariantCulture), StringComparer.OrdinalIgnoreCase);
        var batchSize = Math.Max(1, settings.BatchSize);

        var checkpoint = await checkpoints.GetAsync(integration.Id, checkpointFlow, ct);
        // No checkpoint, or the reset a re-import leaves (UnixEpoch): read every article.
        DateTimeOffset? since = checkpoint is { } c && c > DateTimeOffset.UnixEpoch ? c - TimeSpan.FromMinutes(settings.OverlapMinutes) : null;
        var newest = checkpoint;
        var pending = new Dictionary<string, List<StockLevel>>(StringComparer.Ordinal);
        var unmapped = new List<string>();
        int read = 0, sentCount = 0, unchanged = 0, calls = 0;

        async Task FlushAsync(string warehouse, List<StockLevel> batch)
        {
            if (shadow)
            {
                if (!wouldSet.TryGetValue(warehouse, out var levels))
                    wouldSet[warehouse] = levels = new Dictionary<string, Shadow.ShadowStockLevel>(StringComparer.Ordinal);
                foreach (var level in batch)
                    levels[level.Sku] = new Shadow.ShadowStockLevel(level.Sku, articleOf.GetValueOrDefault(level.Sku) ?? "", level.Quantity);
                sentCount += batch.Count;
                return;
            }

            if (fence is not null)
            {
                await fence(ct);
            }

            var result = await shop.SetStockAsync(integration, warehouse, batch, ct);
            calls++;
            var unknown = new HashSet<string>(result.UnknownSkus, StringComparer.Ordinal);
            foreach (var level in batch)
            {
                if (unknown.Contains(level.Sku))
                {
                    continue;
                }

                sent[(warehouse, level.Sku)] = level.Quantity;
                sentCount++;
            }

            unmapped.AddRange(unknown.Select(s => $"shop SKU {s}"));
        }

        await foreach (var page in articles.ListArticlesAsync(integration, since, ct))
        {
            foreach (var article in page)
            {
                var lines = article.Warehouses.Where(w => warehouseMap.ContainsKey(w.Warehouse)).ToList();
                foreach (var line in article.Warehouses)
                {
                    if (line.LastModified is { } t && (newest is null || t > newest))
                    {
                        newest = t;
                    }
                }

                if (lines.Count == 0)
                {
                    continue;
                }

                if (!mappings.SkuByArticle.TryGetValue(article.Number, out var sku))
                {
                    unmapped.Add(article.Number);
                    continue;
                }

                articleOf[sku] = article.Number;
                foreach (var line in lines)
                {
                    read++;
                    var warehouse = warehouseMap[line.Warehouse];
                    var raw = settings.Quantity == StockQuantity.AvailableForShipment ? line.AvailableForShipment : line.Available;
                    var quantity = (int)Math.Clamp(Math.Floor(raw), 0, int.MaxValue);
                    if (sent.TryGetValue((warehouse, sku), out var last) && last == quantity)
                    {
                        unchanged++;
                        continue;
                    }

                    if (!pending.TryGetValue(warehouse, out var batch))
                    {
                        batch = [];
                        pending[warehouse] = batch;
                    }

                    batch.Add(new StockLevel(sku, quantity));
                    if (batch.Count >= batchSize)
                    {
                        pending[warehouse] = [];
                        await FlushAsync(warehouse, batch);
                    }
                }
            }
        }

        foreach (var (warehouse, batch) in pending)
        {
            if (batch.Count > 0)
            {
                await FlushAsync(warehouse, batch);
            }
        }

        if (shadow)
            await RecordShadowAsync(integration, wouldSet, unmapped, ct);
        else
            await ReportUnmappedAsync(integration, unmapped, correlationId, ct);

        // Every batch was accepted: the changes up to the newest timestamp read are in the shop.
        if (newest is { } n && n != checkpoint)
        {
            await checkpoints.SetAsync(integration.Id, checkpointFlow, n, ct);
        }

        logger.LogInformation("Stock sync for {IntegrationId}: {Read} lines read, {Sent} sent in {Calls} shop calls, {Unchanged} unchanged, {Unmapped} unmapped",
            integration.Id, read, sentCount, calls, unchanged, unmapped.Count);
        return new StockRunResult { Read = read, Sent = sentCount, Unchanged = unchanged, Unmapped = unmapped, ShopCalls = calls, Checkpoint = newest };
    }

    /// <summary>Forgets what was sent (e.g. after a re-import), so the next run sends every quantity it reads.</summary>
    /// <summary>
    /// Shadow records of a run: per Centra warehouse the levels a live run would set (merged into the warehouse's
    /// earlier record, the latest read of a SKU wins), and per unmapped article a failure with STOCK_SKU_UNMAPPED.
    /// Whether Centra knows each SKU is only learnt from setStock's answer, a write, so it is not checked here.
    /// </summary>
    private async Task RecordShadowAsync(Integration integration, Dictionary<string, Dictionary<string, Shadow.ShadowStockLevel>> wouldSet, List<string> unmapped, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var earlier = (await shadowLog.ListAsync(integration.Id, Flows.Stock, ct)).ToDictionary(r => r.EntityKey, StringComparer.Ordinal);
        foreach (var (warehouse, levels) in wouldSet)
        {
            var key = "warehouse:" + warehouse;
            var merged = (earlier.GetValueOrDefault(key)?.StockLevels ?? []).Where(l => !levels.ContainsKey(l.Sku)).Concat(levels.Values)
                .OrderBy(l => l.Sku, StringComparer.Ordinal).ToList();
            await shadowLog.SaveAsync(new Shadow.ShadowRecord
            {
                IntegrationId = integration.Id, Flow = Flows.Stock, EntityKey = key, Outcome = Shadow.ShadowOutcome.WouldBook, DocumentType = "setStock",
                Reference = "Centra warehouse " + warehouse, StockLevels = merged, EntityDate = now, RecordedAt = now,
            }, ct);
        }

        var fix = ErrorCodes.Get(ErrorCodes.StockSkuUnmapped).Fix;
        foreach (var article in unmapped.Distinct(StringComparer.Ordinal).Take(200))
        {
            await shadowLog.SaveAsync(new Shadow.ShadowRecord
            {
                IntegrationId = integration.Id, Flow = Flows.Stock, EntityKey = "article:" + article, Outcome = Shadow.ShadowOutcome.Failed, ErrorCode = ErrorCodes.StockSkuUnmapped,
                Message = $"Article {article} has no SKU mapping; a live run would skip its stock (the other articles are synced).", Fix = fix, EntityDate = now, RecordedAt = now,
            }, ct);
        }
    }

    public void ForgetSent(string integrationId)
    {
        foreach (var key in _sent.Keys.Where(k => k.StartsWith(integrationId + "|", StringComparison.Ordinal)))
        {
            _sent.TryRemove(key, out _);
        }
    }

    private async Task ReportUnmappedAsync(Integration integration, List<string> unmapped, string correlationId, CancellationToken ct)
    {
        if (unmapped.Count == 0)
        {
            return;
        }

        var fix = ErrorCodes.Get(ErrorCodes.StockSkuUnmapped).Fix;
        foreach (var key in unmapped.Take(MaxUnmappedEvents))
        {
            logger.LogWarning("{ErrorCode}: stock of {Article} skipped: no SKU mapping", ErrorCodes.StockSkuUnmapped, key);
            await events.AppendAsync(new OperatorEvent
            {
                IntegrationId = integration.Id, Flow = Flows.Stock, EntityKey = key, Severity = EventSeverity.Warning, ErrorCode = ErrorCodes.StockSkuUnmapped,
                Message = key.StartsWith("shop SKU ", StringComparison.Ordinal)
                    ? $"Centra does not know {key}; its stock was skipped (the other sizes were set)."
                    : $"Article {key} has no SKU mapping; its stock was skipped (the other articles were synced).",
                Fix = fix, CorrelationId = correlationId, At = time.GetUtcNow(),
            }, ct);
        }

        if (unmapped.Count > MaxUnmappedEvents)
        {
            await events.AppendAsync(new OperatorEvent
            {
                IntegrationId = integration.Id, Flow = Flows.Stock, EntityKey = "stock", Severity = EventSeverity.Warning, ErrorCode = ErrorCodes.StockSkuUnmapped,
                Message = $"{unmapped.Count - MaxUnmappedEvents} more articles without a SKU mapping were skipped in this run.",
                Fix = fix, CorrelationId = correlationId, At = time.GetUtcNow(),
            }, ct);
        }
    }
}
