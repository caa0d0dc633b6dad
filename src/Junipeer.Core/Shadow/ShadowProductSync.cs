using Junipeer.Core.Erp;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Products;
using Junipeer.Core.Sync;
using Microsoft.Extensions.Logging;

namespace Junipeer.Core.Shadow;

/// <summary>
/// The product sync in shadow mode, both directions, with the same reads, SKU rule checks and fingerprints as
/// <see cref="ProductSyncHandler"/>: per Visma.net article (VismaToCentra) the Centra product, variant and size that
/// would be created or the name that would change; per Centra size (CentraToVisma) the article that would be created
/// (number, description, SKU attributes, classes) or the fields an update would send, old → new. Reads only (articles
/// through <see cref="ReadOnlyErp.ArticleSync"/>, Centra product queries); no createProduct / createVariant /
/// createSize / updateProduct, no article POST or PUT, no mapping, fingerprint or ledger row. Items whose fingerprint
/// matches what both sides agreed are not recorded (a live run leaves them alone). Own checkpoints
/// (<c>products-from-erp-shadow</c>, <c>products-from-shop-shadow</c>).
/// </summary>
public sealed class ShadowProductSync(
    IErpResolver erps,
    IShopProducts shop,
    IMappingStore mappings,
    ICheckpointStore checkpoints,
    SkuMappingGuard guard,
    IShadowLog log,
    TimeProvider time,
    ILogger<ShadowProductSync> logger)
{
    public const string Flow = "products";

    public async Task<ProductRunResult> RunAsync(Integration integration, CancellationToken ct)
    {
        var erp = new ReadOnlyErp(erps.For(integration)).ArticleSync
                  ?? throw new JunipeerException(ErrorCodes.IntegrationSettingsInvalid, $"The ERP connector of integration '{integration.Id}' ({integration.Erp.Kind}) cannot sync articles; set Products.Direction to Off.");
        await guard.LoadAsync(integration, ct); // SKU_MAPPING_CHANGED as in a live run (nothing stored here)
        var run = new Run();
        if (integration.Products.Direction == ProductDirection.VismaToCentra)
            await FromErpAsync(integration, erp, run, ct);
        else if (integration.Products.Direction == ProductDirection.CentraToVisma)
            await FromShopAsync(integration, erp, run, ct);
        logger.LogInformation("Shadow: products of {IntegrationId}: {Creates} would be created, {Updates} updated, {Failed} failed, {Unchanged} unchanged",
            integration.Id, run.Creates, run.Updates, run.Failed.Count, run.Unchanged);
        return new ProductRunResult { Unchanged = run.Unchanged, Failed = run.Failed };
    }

    private sealed class Run
    {
        public int Creates { get; set; }
        public int Updates { get; set; }
        public int Unchanged { get; set; }
        public List<(string, string)> Failed { get; } = [];

        /// <summary>Centra items this run would create (p|product, v|product|variant, s|product|variant|size): later articles of the same product add to them.</summary>
        public HashSet<string> Planned { get; } = new(StringComparer.Ordinal);
    }

    private ShadowRecord Record(Integration integration, string key, DateTimeOffset? at) => new()
    {
        IntegrationId = integration.Id, Flow = Flow, EntityKey = key, Outcome = ShadowOutcome.WouldBook, EntityDate = at, RecordedAt = time.GetUtcNow(),
    };

    /// <summary>Saves a record; a coded failure an operator must fix becomes a Failed record, a transient one is rethrown (the run stops, its checkpoint stays).</summary>
    private async Task ItemAsync(Run run, ShadowRecord basis, Func<Task<ShadowRecord?>> decide, CancellationToken ct)
    {
        ShadowRecord? record;
        try
        {
            record = await decide();
        }
        catch (JunipeerException ex) when (!ex.Retryable)
        {
            record = basis with { Outcome = ShadowOutcome.Failed, ErrorCode = ex.Code, Message = ex.Message, Fix = ErrorCodes.All.FirstOrDefault(e => e.Code == ex.Code)?.Fix };
            run.Failed.Add((basis.EntityKey, ex.Code));
        }

        if (record is null)
        {
            run.Unchanged++;
            return;
        }

        if (record.Outcome == ShadowOutcome.WouldBook)
        {
            if (record.Action == "create")
                run.Creates++;
            else
                run.Updates++;
        }

        await log.SaveAsync(record, ct);
    }

    // ------------------------------------------------------------------ Visma.net → Centra

    private async Task FromErpAsync(Integration integration, IErpArticleSync erp, Run run, CancellationToken ct)
    {
        var flow = Flows.ProductsFromErp + "-shadow";
        var checkpoint = await checkpoints.GetAsync(integration.Id, flow, ct);
        DateTimeOffset? since = checkpoint is { } c ? c - TimeSpan.FromMinutes(integration.Products.OverlapMinutes) : null;
        var newest = checkpoint;
        await foreach (var page in erp.ListArticlesModifiedSinceAsync(integration, since, ct))
        {
            foreach (var article in page)
            {
                if (article.LastModified is { } m && (newest is null || m > newest))
                    newest = m;
                var basis = Record(integration, "visma:" + article.Number, article.LastModified) with { Target = "shop", DocumentType = "product" };
                await ItemAsync(run, basis, () => ToShopAsync(integration, run, article, basis, ct), ct);
            }
        }

        if (newest is { } n && n != checkpoint)
            await checkpoints.SetAsync(integration.Id, flow, n, ct);
    }

    private async Task<ShadowRecord?> ToShopAsync(Integration integration, Run run, ErpArticleRecord article, ShadowRecord basis, CancellationToken ct)
    {
        var (sku, p, v, s) = ProductSyncHandler.Parts(integration.Sku, article.AsArticle());
        var description = string.IsNullOrWhiteSpace(article.Description) ? p : article.Description.Trim();
        if (ProductSyncHandler.ErpPrint(description, p, v, s) == await mappings.GetAsync(integration.Id, MappingKinds.ProductErpFingerprint, article.Number, ct))
            return null;

        var changes = new List<ShadowFieldChange>();
        var created = false;
        var found = await shop.FindProductsByNumberAsync(integration, p, ct);
        if (found.Count > 1)
            throw Duplicate("products", p, found.Select(x => x.Id));
        var product = found.Count == 1 ? found[0] : null;
        var variantName = v.Length > 0 ? v : description;
        if (product is null)
        {
            if (run.Planned.Add("p|" + p))
            {
                changes.Add(new ShadowFieldChange("productNumber", null, p));
                changes.Add(new ShadowFieldChange("name", null, description));
                created = true;
            }
        }
        else if (!string.Equals(product.Name.Trim(), description, StringComparison.Ordinal) && run.Planned.Add("n|" + p))
        {
            changes.Add(new ShadowFieldChange("name", product.Name, description));
        }

        var variants = product?.Variants.Where(x => string.Equals(x.VariantNumber.Trim(), v, StringComparison.Ordinal)).ToList() ?? [];
        if (variants.Count > 1)
            throw Duplicate("variants of product " + p, v, variants.Select(x => x.Id));
        if (variants.Count == 0 && run.Planned.Add($"v|{p}|{v}"))
        {
            changes.Add(new ShadowFieldChange("variantNumber", null, v));
            changes.Add(new ShadowFieldChange("variantName", null, variantName));
            created = true;
        }

        var sizes = variants.Count == 1 ? variants[0].Sizes.Where(x => string.Equals(x.SizeNumber.Trim(), s, StringComparison.Ordinal)).ToList() : [];
        if (sizes.Count > 1)
            throw Duplicate("sizes of variant " + v, s, sizes.Select(x => x.Id));
        if (sizes.Count == 0 && run.Planned.Add($"s|{p}|{v}|{s}"))
        {
            changes.Add(new ShadowFieldChange("sizeNumber", null, s));
            changes.Add(new ShadowFieldChange("sku", null, sku));
            created = true;
        }

        // Nothing to write in Centra (a live run would only record the mapping and fingerprints).
        return changes.Count == 0
            ? null
            : basis with { Action = created ? "create" : "update", Reference = sku, CustomerName = description, Changes = changes, ExistingDocument = product?.Id };
    }

    private static JunipeerException Duplicate(string what, string number, IEnumerable<string> ids) =>
        new(ErrorCodes.ProductDuplicateInShop, $"Centra has several {what} numbered '{number}': ids {string.Join(", ", ids)}. A live run would create or update nothing for it.");

    // ------------------------------------------------------------------ Centra → Visma.net

    private async Task FromShopAsync(Integration integration, IErpArticleSync erp, Run run, CancellationToken ct)
    {
        var flow = Flows.ProductsFromShop + "-shadow";
        var checkpoint = await checkpoints.GetAsync(integration.Id, flow, ct);
        DateTimeOffset? since = checkpoint is { } c ? c - TimeSpan.FromMinutes(integration.Products.OverlapMinutes) : null;
        var newest = checkpoint;
        await foreach (var page in shop.ListProductsChangedSinceAsync(integration, since, ct))
        {
            foreach (var product in page)
            {
                newest = newest is null || product.UpdatedAt > newest ? product.UpdatedAt : newest;
                foreach (var variant in product.Variants)
                {
                    foreach (var size in variant.Sizes)
                    {
                        var basis = Record(integration, $"centra:{product.ProductNumber}/{variant.VariantNumber}/{size.SizeNumber}", product.UpdatedAt) with { Target = "erp", DocumentType = "article" };
                        await ItemAsync(run, basis, () => ToErpAsync(integration, erp, product, variant, size, basis, ct), ct);
                    }
                }
            }
        }

        if (newest is { } n && n != checkpoint)
            await checkpoints.SetAsync(integration.Id, flow, n, ct);
    }

    private async Task<ShadowRecord?> ToErpAsync(Integration integration, IErpArticleSync erp, ShopProduct product, ShopVariant variant, ShopSize size, ShadowRecord basis, CancellationToken ct)
    {
        var plan = ProductSyncHandler.PlanArticle(integration, product, variant, size);
        if (plan.ShopPrint == await mappings.GetAsync(integration.Id, MappingKinds.ProductShopFingerprint, plan.Sku, ct))
            return null;

        var current = await erp.GetArticleAsync(integration, plan.Sku, ct);
        var changes = new List<ShadowFieldChange>();
        if (current is null)
        {
            var p = integration.Products;
            changes.Add(new ShadowFieldChange("number", null, plan.Sku));
            changes.Add(new ShadowFieldChange("description", null, plan.Description));
            changes.AddRange(plan.Attributes.OrderBy(a => a.Key, StringComparer.OrdinalIgnoreCase).Select(a => new ShadowFieldChange("attribute:" + a.Key, null, a.Value)));
            foreach (var (field, value) in new[] { ("itemClass", p.ItemClass), ("postingClass", p.PostingClass), ("vatCode", p.VatCode), ("salesUnit", p.SalesUnit) })
            {
                if (value is not null)
                    changes.Add(new ShadowFieldChange(field, null, value));
            }

            return basis with { Action = "create", Reference = plan.Sku, CustomerName = plan.Description, Changes = changes };
        }

        if (!string.Equals(current.Description.Trim(), plan.Description, StringComparison.Ordinal))
            changes.Add(new ShadowFieldChange("description", current.Description, plan.Description));
        foreach (var a in plan.Attributes.OrderBy(a => a.Key, StringComparer.OrdinalIgnoreCase))
        {
            var had = current.Attributes.TryGetValue(a.Key, out var h) ? h : null;
            if (!string.Equals(had?.Trim(), a.Value, StringComparison.Ordinal))
                changes.Add(new ShadowFieldChange("attribute:" + a.Key, had, a.Value));
        }

        return changes.Count == 0
            ? null
            : basis with { Action = "update", Reference = plan.Sku, CustomerName = plan.Description, Changes = changes, ExistingDocument = current.Number };
    }
}
