using System.Collections.Concurrent;
using System.Globalization;
using Junipeer.Core.Erp;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Products;
using Junipeer.Core.Shop;
using Junipeer.Core.Sync;
using Microsoft.Extensions.Logging;

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
/// Exactly-once is not needed here: every write is an absolute level (a repeat changes nothing), so the
/// flow has no ledger rows and no fence; it never creates documents.
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
    Shadow.IShadowLog shadowLog)
{
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

            try
            {
                results[integration.Id] = await SyncAsync(integration, ct);
            }
            catch (JunipeerException ex)
            {
                logger.LogError(ex, "{ErrorCode}: stock sync failed for integration {IntegrationId}", ex.Code, integration.Id);
                await events.AppendAsync(new OperatorEvent
                {
                    IntegrationId = integration.Id, Flow = Flows.Stock, EntityKey = "stock", Severity = ex.Retryable ? EventSeverity.Warning : EventSeverity.Error,
                    Message = ex.Message, ErrorCode = ex.Code, Fix = ErrorCodes.All.FirstOrDefault(e => e.Code == ex.Code)?.Fix, At = time.GetUtcNow(),
                }, ct);
                results[integration.Id] = new StockRunResult { ErrorCode = ex.Code };
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Stock sync failed for integration {IntegrationId}; its checkpoint stays put", integration.Id);
                results[integration.Id] = new StockRunResult { ErrorCode = "UNEXPECTED" };
            }
        }

        return results;
    }

    public async Task<StockRunResult> SyncAsync(Integration integration, CancellationToken ct)
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
