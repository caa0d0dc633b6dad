using Junipeer.Core.Erp;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Shop;
using Junipeer.Core.Sync;
using Microsoft.Extensions.Logging;

namespace Junipeer.Core.Products;

/// <summary>One finding of the SKU diagnosis: what, which side must be fixed, and why.</summary>
public sealed record SkuFinding(string Kind, string Sku, string? Article, string? ShopId, string FixIn, string Reason);

/// <summary>The SKU mismatch report: both sides compared under the current SKU rule.</summary>
public sealed record SkuDiagnosis
{
    public required string Rule { get; init; }
    public required string Fingerprint { get; init; }
    public int Articles { get; init; }
    public int ShopSizes { get; init; }
    public int Matched { get; init; }

    /// <summary>Matched pairs (article → shop SKU) that are unique on both sides: what a re-import maps.</summary>
    public IReadOnlyDictionary<string, string> Mappable { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<SkuFinding> Findings { get; init; } = [];

    public int Count(string kind) => Findings.Count(f => f.Kind == kind);
}

public static class SkuFindingKinds
{
    /// <summary>An article's SKU has no size in Centra.</summary>
    public const string OnlyInErp = "onlyInErp";

    /// <summary>A Centra size's SKU matches no article.</summary>
    public const string OnlyInShop = "onlyInShop";

    /// <summary>Two or more articles build the same SKU.</summary>
    public const string DuplicateInErp = "duplicateInErp";

    /// <summary>Two or more Centra sizes carry the same SKU.</summary>
    public const string DuplicateInShop = "duplicateInShop";

    /// <summary>An article's SKU cannot be built, or breaks the configured pattern.</summary>
    public const string PatternBreakInErp = "patternBreakInErp";

    /// <summary>A Centra SKU breaks the configured pattern (or is empty).</summary>
    public const string PatternBreakInShop = "patternBreakInShop";
}

/// <summary>Progress of a re-import: articles read so far (of the total when known).</summary>
public sealed record ReimportProgress(string Stage, int Done, int? Total);

/// <summary>What a re-import did.</summary>
public sealed record ReimportReport
{
    public required SkuDiagnosis Diagnosis { get; init; }
    public int Mapped { get; init; }
    public int RemovedOld { get; init; }
    public bool Resumed { get; init; }
    public required string Fingerprint { get; init; }
}

/// <summary>
/// The SKU catalogue of an integration: the mismatch report (<c>junipeer diagnose sku</c>) and the supervised
/// rebuild of every SKU mapping (<c>junipeer reimport products</c>). Per the product guide, products in Centra
/// that do not match the SKU rule are fixed in Centra (not by bending the rule); articles whose fields cannot
/// build a SKU, or that build the same SKU as another article, are fixed in Visma.net.
/// </summary>
public sealed class SkuCatalogue(
    IErpResolver erps,
    IShopCatalogue shop,
    IMappingBulkStore bulk,
    IMappingStore mappings,
    ICheckpointStore checkpoints,
    ILogger<SkuCatalogue> logger)
{
    /// <summary>Staging kind of a re-import in progress (suffix: the target fingerprint).</summary>
    public const string StagingKindPrefix = "sku-next-";

    /// <summary>Mapping kind holding the re-import's progress (key "state": "staged"/"switched", key "fingerprint").</summary>
    public const string ReimportStateKind = "sku-reimport";

    /// <summary>Compares both sides under the current SKU rule. Reads every article and every Centra size once.</summary>
    public async Task<SkuDiagnosis> DiagnoseAsync(Integration integration, IProgress<ReimportProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(integration);
        var articles = erps.For(integration) as IErpArticles
                       ?? throw new JunipeerException(ErrorCodes.IntegrationSettingsInvalid, $"The ERP connector of integration '{integration.Id}' cannot read articles.");
        var rule = integration.Sku;
        var findings = new List<SkuFinding>();

        // ERP side: compose every article's SKU.
        var erpBySku = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var articleCount = 0;
        await foreach (var page in articles.ListArticlesAsync(integration, null, ct))
        {
            foreach (var article in page)
            {
                articleCount++;
                var sku = SkuComposer.Compose(rule, article);
                if (!sku.Ok)
                {
                    findings.Add(new SkuFinding(SkuFindingKinds.PatternBreakInErp, "", article.Number, null, "Visma.net", sku.Problem!));
                    continue;
                }

                if (!erpBySku.TryGetValue(sku.Sku!, out var list))
                {
                    list = [];
                    erpBySku[sku.Sku!] = list;
                }

                list.Add(article.Number);
            }

            progress?.Report(new ReimportProgress("articles", articleCount, null));
        }

        // Shop side: every size's full SKU.
        var shopBySku = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var sizeCount = 0;
        await foreach (var page in shop.ListSkusAsync(integration, ct))
        {
            foreach (var size in page)
            {
                sizeCount++;
                if (string.IsNullOrWhiteSpace(size.Sku) || !SkuComposer.MatchesPattern(rule, size.Sku))
                {
                    findings.Add(new SkuFinding(SkuFindingKinds.PatternBreakInShop, size.Sku, null, size.Id, "Centra",
                        string.IsNullOrWhiteSpace(size.Sku) ? "the size has no SKU" : $"SKU '{size.Sku}' does not match the pattern {rule.Pattern}"));
                    continue;
                }

                if (!shopBySku.TryGetValue(size.Sku, out var list))
                {
                    list = [];
                    shopBySku[size.Sku] = list;
                }

                list.Add(size.Id);
            }

            progress?.Report(new ReimportProgress("shop sizes", sizeCount, null));
        }

        var mappable = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (sku, numbers) in erpBySku)
        {
            if (numbers.Count > 1)
            {
                findings.AddRange(numbers.Select(n => new SkuFinding(SkuFindingKinds.DuplicateInErp, sku, n, null, "Visma.net",
                    $"articles {string.Join(", ", numbers)} all build SKU '{sku}': correct the SKU fields of all but one")));
                continue;
            }

            if (!shopBySku.TryGetValue(sku, out var ids))
            {
                findings.Add(new SkuFinding(SkuFindingKinds.OnlyInErp, sku, numbers[0], null, "Centra",
                    $"article {numbers[0]} builds SKU '{sku}', which no Centra size carries: create the product in Centra or correct its product/variant/size numbers there"));
                continue;
            }

            if (ids.Count == 1)
            {
                mappable[numbers[0]] = sku;
            }
        }

        foreach (var (sku, ids) in shopBySku)
        {
            if (ids.Count > 1)
            {
                findings.AddRange(ids.Select(id => new SkuFinding(SkuFindingKinds.DuplicateInShop, sku, erpBySku.TryGetValue(sku, out var n) ? n[0] : null, id, "Centra",
                    $"Centra sizes {string.Join(", ", ids)} all carry SKU '{sku}': make them unique in Centra")));
            }
            else if (!erpBySku.ContainsKey(sku))
            {
                findings.Add(new SkuFinding(SkuFindingKinds.OnlyInShop, sku, null, ids[0], "Centra",
                    $"Centra SKU '{sku}' matches no Visma.net article under the rule {SkuComposer.Describe(rule)}: correct the product in Centra (or remove it if it is not sold from this ERP)"));
            }
        }

        return new SkuDiagnosis
        {
            Rule = SkuComposer.Describe(rule),
            Fingerprint = SkuComposer.Fingerprint(rule),
            Articles = articleCount,
            ShopSizes = sizeCount,
            Matched = mappable.Count,
            Mappable = mappable,
            Findings = findings,
        };
    }

    /// <summary>
    /// Rebuilds every SKU mapping with the current rule, in steps that survive a crash: (1) the matched pairs are
    /// written to a staging set named by the rule's fingerprint, state "staged"; (2) the old mappings are
    /// removed and the staged ones copied in, state "switched"; (3) the fingerprint is stored, the stock
    /// checkpoint reset (so stock is sent again for every mapped article) and the staging removed. Running it
    /// again after a crash resumes at the step it stopped in (a set already staged for the same rule is not written again).
    /// </summary>
    public async Task<ReimportReport> ReimportAsync(Integration integration, IProgress<ReimportProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(integration);
        var fingerprint = SkuComposer.Fingerprint(integration.Sku);
        var staging = StagingKindPrefix + fingerprint;
        var state = await mappings.GetAsync(integration.Id, ReimportStateKind, fingerprint, ct);
        var resumed = state is not null;

        // The diagnosis is always computed (it is the report); staging is written only when not already staged.
        var diagnosis = await DiagnoseAsync(integration, progress, ct);
        if (state is null)
        {
            await bulk.DeleteAllAsync(integration.Id, staging, ct);
            var pairs = diagnosis.Mappable.ToList();
            for (var i = 0; i < pairs.Count; i += 1000)
            {
                await bulk.SetManyAsync(integration.Id, staging, pairs.GetRange(i, Math.Min(1000, pairs.Count - i)), ct);
                progress?.Report(new ReimportProgress("staging mappings", Math.Min(i + 1000, pairs.Count), pairs.Count));
            }

            await mappings.SetAsync(integration.Id, ReimportStateKind, fingerprint, "staged", ct);
            state = "staged";
        }

        var staged = await bulk.ListAsync(integration.Id, staging, ct);
        var removed = 0;
        if (state == "staged")
        {
            var old = await bulk.ListAsync(integration.Id, MappingKinds.Sku, ct);
            removed = old.Count;
            await bulk.DeleteAllAsync(integration.Id, MappingKinds.Sku, ct);
            await bulk.SetManyAsync(integration.Id, MappingKinds.Sku, [.. staged], ct);
            progress?.Report(new ReimportProgress("switching mappings", staged.Count, staged.Count));
            await mappings.SetAsync(integration.Id, ReimportStateKind, fingerprint, "switched", ct);
        }

        await mappings.SetAsync(integration.Id, MappingKinds.SkuSettings, SkuMappingGuard.FingerprintKey, fingerprint, ct);
        await checkpoints.SetAsync(integration.Id, Flows.Stock, DateTimeOffset.UnixEpoch, ct); // full stock pass next time
        await bulk.DeleteAllAsync(integration.Id, staging, ct);
        await bulk.DeleteAllAsync(integration.Id, ReimportStateKind, ct);
        logger.LogInformation("Re-import of SKU mappings for {IntegrationId}: {Mapped} mapped with rule {Fingerprint}, {Removed} old removed, {Findings} findings",
            integration.Id, staged.Count, fingerprint, removed, diagnosis.Findings.Count);
        return new ReimportReport { Diagnosis = diagnosis, Mapped = staged.Count, RemovedOld = removed, Resumed = resumed, Fingerprint = fingerprint };
    }
}
