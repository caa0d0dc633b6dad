using System.Security.Cryptography;
using System.Text;
using Junipeer.Core.Erp;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Options;
using Junipeer.Core.Sync;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Junipeer.Core.Products;

/// <summary>Phases of a shop product, variant or size created from an article (ledger flow "shop-products").</summary>
public enum ShopProductPhase
{
    New,
    CreateAttempted,
}

/// <summary>Phases of an article created from a shop size (ledger flow "articles", key = the full SKU).</summary>
public enum ArticlePhase
{
    New,
    CreateAttempted,
}

/// <summary>What one product sync run did for one integration.</summary>
public sealed record ProductRunResult
{
    /// <summary>Centra products, variants and sizes created.</summary>
    public int CreatedInShop { get; init; }

    /// <summary>Centra products renamed.</summary>
    public int UpdatedInShop { get; init; }

    public int CreatedInErp { get; init; }
    public int UpdatedInErp { get; init; }

    /// <summary>Items whose content is what both sides already agree on (the engine's own writes, overlap re-reads).</summary>
    public int Unchanged { get; init; }

    /// <summary>412 answers re-read and re-applied.</summary>
    public int VersionConflicts { get; init; }

    /// <summary>Articles (VismaToCentra) or sizes (CentraToVisma) that were synced: created or updated on the other side.</summary>
    public int Synced { get; init; }

    /// <summary>Items that failed (code per item); the others were synced.</summary>
    public IReadOnlyList<(string Item, string Code)> Failed { get; init; } = [];

    /// <summary>Set when the integration could not be synced at all.</summary>
    public string? ErrorCode { get; init; }
}

/// <summary>
/// Products / articles in the direction configured per integration (<see cref="ProductFlowSettings.Direction"/>), timer-driven:
/// <list type="number">
/// <item><b>VismaToCentra</b>: articles with <c>lastModifiedDateTime</c> ≥ checkpoint − overlap. The SKU is built with the
/// integration's SKU rule (product number + variant + size); the Centra product (by product number), its variant (by variant
/// number) and size (by size number) are found or created, each create exactly once through <see cref="ExactlyOnce"/> (ledger
/// flow "shop-products", looked up by its number before any create, so a lost answer or lost storage never makes a second
/// one); a renamed article renames the product.</item>
/// <item><b>CentraToVisma</b>: Centra products with <c>updatedAt</c> ≥ checkpoint − overlap; one article per size, numbered
/// with the size's full SKU, with the description and the SKU parts as attributes. A new article is created through
/// <see cref="ExactlyOnce"/> (ledger flow "articles", looked up by its number before any create); an existing one gets only
/// the changed fields by PUT with If-Match, a 412 re-reading and re-applying (<see cref="GuardedUpdate"/>).</item>
/// <item>The article → SKU mapping goes to the Mappings table (kind <c>sku</c>, guarded by <see cref="SkuMappingGuard"/>), and
/// fingerprints of both sides' content after every write: content the engine wrote itself is never sent back.</item>
/// <item>An item that fails (PRODUCT_SKU_INVALID, PRODUCT_DUPLICATE_IN_SHOP, a refused write) is an operator event and the
/// run goes on; the checkpoint then stays at the oldest failed change so it is retried.</item>
/// </list>
/// </summary>
public sealed class ProductSyncHandler(
    IIntegrationStore integrations,
    IErpResolver erps,
    IShopProducts shop,
    IMappingStore mappings,
    ICheckpointStore checkpoints,
    SkuMappingGuard guard,
    ExactlyOnce exactlyOnce,
    IEventLog events,
    IOptions<JunipeerOptions> options,
    TimeProvider time,
    ILogger<ProductSyncHandler> logger,
    Shadow.ShadowProductSync shadow)
{
    public const string ProductStep = "shopProduct";
    public const string VariantStep = "shopVariant";
    public const string SizeStep = "shopSize";
    public const string ArticleStep = "article";

    private const int MaxConflictRetries = 3;

    private TimeSpan Hold => TimeSpan.FromSeconds(options.Value.Orders.LeaseSeconds);

    public async Task<IReadOnlyDictionary<string, ProductRunResult>> RunAsync(CancellationToken ct)
    {
        var results = new Dictionary<string, ProductRunResult>(StringComparer.Ordinal);
        foreach (var integration in await integrations.ListAsync(ct))
        {
            if (integration.Products.Direction == ProductDirection.Off || !integration.Enabled)
                continue;
            try
            {
                results[integration.Id] = await SyncAsync(integration, ct);
            }
            catch (JunipeerException ex)
            {
                logger.LogError(ex, "{ErrorCode}: product sync failed for integration {IntegrationId}", ex.Code, integration.Id);
                await EventAsync(integration, "products", ex.Code, ex.Message, ex.Retryable, ct);
                results[integration.Id] = new ProductRunResult { ErrorCode = ex.Code };
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Product sync failed for integration {IntegrationId}; its checkpoint stays put", integration.Id);
                results[integration.Id] = new ProductRunResult { ErrorCode = "UNEXPECTED" };
            }
        }

        return results;
    }

    public async Task<ProductRunResult> SyncAsync(Integration integration, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(integration);
        var correlationId = $"products-{Guid.NewGuid():N}";
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["CorrelationId"] = correlationId, ["IntegrationId"] = integration.Id });
        if (integration.Mode == IntegrationMode.Shadow)
        {
            // Shadow mode: reads only (no Centra mutation, no article POST/PUT, no mapping, fingerprint or ledger row);
            // what would be created or updated on the other side is recorded in the Shadow table (flow "products").
            return await shadow.RunAsync(integration, ct);
        }

        var erp = erps.For(integration) as IErpArticleSync
                  ?? throw new JunipeerException(ErrorCodes.IntegrationSettingsInvalid, $"The ERP connector of integration '{integration.Id}' ({integration.Erp.Kind}) cannot sync articles; set Products.Direction to Off.");

        // The mappings are only valid for the SKU rule they were built with (SKU_MAPPING_CHANGED otherwise).
        var set = await guard.LoadAsync(integration, ct);
        if (await mappings.GetAsync(integration.Id, MappingKinds.SkuSettings, SkuMappingGuard.FingerprintKey, ct) is null)
            await mappings.SetAsync(integration.Id, MappingKinds.SkuSettings, SkuMappingGuard.FingerprintKey, set.Fingerprint, ct);

        var run = new Run(integration, erp, correlationId);
        switch (integration.Products.Direction)
        {
            case ProductDirection.VismaToCentra:
                await FromErpAsync(run, ct);
                break;
            case ProductDirection.CentraToVisma:
                await FromShopAsync(run, ct);
                break;
        }

        return new ProductRunResult
        {
            CreatedInShop = run.CreatedInShop,
            UpdatedInShop = run.UpdatedInShop,
            CreatedInErp = run.CreatedInErp,
            UpdatedInErp = run.UpdatedInErp,
            Unchanged = run.Unchanged,
            VersionConflicts = run.Conflicts,
            Synced = run.Synced,
            Failed = run.Failed,
        };
    }

    private sealed class Run(Integration integration, IErpArticleSync erp, string correlationId)
    {
        public Integration Integration { get; } = integration;
        public IErpArticleSync Erp { get; } = erp;
        public string CorrelationId { get; } = correlationId;
        public int CreatedInShop { get; set; }
        public int UpdatedInShop { get; set; }
        public int CreatedInErp { get; set; }
        public int UpdatedInErp { get; set; }
        public int Unchanged { get; set; }
        public int Conflicts { get; set; }
        public int Synced { get; set; }
        public List<(string, string)> Failed { get; } = [];
    }

    /// <summary>The three SKU parts of an article under the integration's rule, or PRODUCT_SKU_INVALID.</summary>
    internal static (string Sku, string Product, string Variant, string Size) Parts(SkuSettings rule, ErpArticle article)
    {
        var composed = SkuComposer.Compose(rule, article);
        if (!composed.Ok)
            throw new JunipeerException(ErrorCodes.ProductSkuInvalid, composed.Problem!);
        string Attr(string? field) => field is null ? "" : (article.Attributes.FirstOrDefault(a => string.Equals(a.Key, field, StringComparison.OrdinalIgnoreCase)).Value ?? "").Trim();
        var product = string.Equals(rule.ProductNrField, SkuFields.InventoryNumber, StringComparison.OrdinalIgnoreCase) ? article.Number.Trim() : Attr(rule.ProductNrField);
        return (composed.Sku!, product, Attr(rule.VariantField), Attr(rule.SizeField));
    }

    /// <summary>Fingerprint of an article's synced content (description + SKU parts): 16 hex of SHA-256, no content stored.</summary>
    internal static string ErpPrint(string description, string product, string variant, string size) => Print("erp", description, product, variant, size);

    /// <summary>Fingerprint of a Centra size's synced content (product and variant names + numbers).</summary>
    internal static string ShopPrint(string productName, string variantName, string product, string variant, string size) => Print("shop", productName, variantName, product, variant, size);

    private static string Print(params string[] parts) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f', parts.Select(p => p.Trim())))))[..16];

    // ------------------------------------------------------------------ Visma.net → Centra

    private async Task FromErpAsync(Run run, CancellationToken ct)
    {
        var id = run.Integration.Id;
        var checkpoint = await checkpoints.GetAsync(id, Flows.ProductsFromErp, ct);
        DateTimeOffset? since = checkpoint is { } c ? c - TimeSpan.FromMinutes(run.Integration.Products.OverlapMinutes) : null;
        DateTimeOffset? newest = checkpoint, oldestFailed = null;
        await foreach (var page in run.Erp.ListArticlesModifiedSinceAsync(run.Integration, since, ct))
        {
            foreach (var article in page)
            {
                if (article.LastModified is { } m)
                    newest = newest is null || m > newest ? m : newest;
                if (!await CatalogueItem.RunAsync(() => ToShopAsync(run, article, ct), $"Visma.net article {article.Number}", logger, async ex =>
                    {
                        run.Failed.Add(("visma:" + article.Number, ex.Code));
                        logger.LogWarning("{ErrorCode}: Visma.net article {Number} was not synced to Centra; the run goes on", ex.Code, article.Number);
                        await EventAsync(run.Integration, "visma:" + article.Number, ex.Code, $"Visma.net article {article.Number}: {ex.Message}", ex.Retryable, ct);
                    }))
                {
                    oldestFailed = CatalogueItem.Earliest(oldestFailed, article.LastModified);
                }
            }
        }

        var next = oldestFailed ?? newest;
        if (next is { } n && n != checkpoint)
            await checkpoints.SetAsync(id, Flows.ProductsFromErp, n, ct);
    }

    private async Task ToShopAsync(Run run, ErpArticleRecord article, CancellationToken ct)
    {
        var integration = run.Integration;
        var (sku, p, v, s) = Parts(integration.Sku, article.AsArticle());
        var description = string.IsNullOrWhiteSpace(article.Description) ? p : article.Description.Trim();
        var erpPrint = ErpPrint(description, p, v, s);
        if (erpPrint == await mappings.GetAsync(integration.Id, MappingKinds.ProductErpFingerprint, article.Number, ct))
        {
            run.Unchanged++;
            return;
        }

        var changed = false;
        var product = await EnsureProductAsync(run, p, description, ct);
        if (product.Created)
        {
            changed = true;
        }
        else if (!string.Equals(product.Product.Name.Trim(), description, StringComparison.Ordinal))
        {
            await shop.UpdateProductAsync(integration, product.Product.Id, description, ct);
            run.UpdatedInShop++;
            changed = true;
        }

        var variantName = v.Length > 0 ? v : description;
        var variant = await EnsureVariantAsync(run, product.Product, v, variantName, ct);
        var size = await EnsureSizeAsync(run, product.Product.Id, p, variant.Variant, s, ct);
        changed |= variant.Created || size.Created;
        var shopSku = size.Size?.Sku is { Length: > 0 } known ? known : sku;

        await mappings.SetAsync(integration.Id, MappingKinds.Sku, article.Number, shopSku, ct);
        await mappings.SetAsync(integration.Id, MappingKinds.ProductErpFingerprint, article.Number, erpPrint, ct);
        await mappings.SetAsync(integration.Id, MappingKinds.ProductShopFingerprint, shopSku, ShopPrint(description, variant.Variant.Name, p, v, s), ct);
        if (changed)
            run.Synced++;
        else
            run.Unchanged++;
    }

    private async Task<(ShopProduct Product, bool Created)> EnsureProductAsync(Run run, string productNumber, string name, CancellationToken ct)
    {
        var integration = run.Integration;
        var found = await shop.FindProductsByNumberAsync(integration, productNumber, ct);
        if (found.Count > 1)
            throw Duplicate("products", productNumber, found.Select(x => x.Id));
        if (found.Count == 1)
            return (found[0], false);

        var (productId, created) = await CreateInShopOnceAsync(run, "p|" + productNumber, ProductStep,
            find: async () => (await shop.FindProductsByNumberAsync(integration, productNumber, ct)).Select(x => x.Id).ToList(),
            create: () => shop.CreateProductAsync(integration, productNumber, name, ct),
            what: $"products with number '{productNumber}'", ct);
        if (created)
            run.CreatedInShop++;
        var product = (await shop.FindProductsByNumberAsync(integration, productNumber, ct)).FirstOrDefault(x => x.Id == productId)
                      ?? new ShopProduct(productId, productNumber, name, time.GetUtcNow(), []);
        return (product, created);
    }

    private async Task<(ShopVariant Variant, bool Created)> EnsureVariantAsync(Run run, ShopProduct product, string variantNumber, string name, CancellationToken ct)
    {
        var integration = run.Integration;
        var matches = product.Variants.Where(x => string.Equals(x.VariantNumber.Trim(), variantNumber, StringComparison.Ordinal)).ToList();
        if (matches.Count > 1)
            throw Duplicate("variants of product " + product.ProductNumber, variantNumber, matches.Select(x => x.Id));
        if (matches.Count == 1)
            return (matches[0], false);

        async Task<IReadOnlyList<ShopVariant>> Reread() =>
            (await shop.FindProductsByNumberAsync(integration, product.ProductNumber, ct)).Where(x => x.Id == product.Id)
            .SelectMany(x => x.Variants).Where(x => string.Equals(x.VariantNumber.Trim(), variantNumber, StringComparison.Ordinal)).ToList();
        var (variantId, created) = await CreateInShopOnceAsync(run, $"v|{product.Id}|{variantNumber}", VariantStep,
            find: async () => (await Reread()).Select(x => x.Id).ToList(),
            create: () => shop.CreateVariantAsync(integration, product.Id, variantNumber, name, ct),
            what: $"variants numbered '{variantNumber}' of product {product.ProductNumber}", ct);
        if (created)
            run.CreatedInShop++;
        var variant = (await Reread()).FirstOrDefault(x => x.Id == variantId) ?? new ShopVariant(variantId, variantNumber, name, []);
        return (variant, created);
    }

    private async Task<(ShopSize? Size, bool Created)> EnsureSizeAsync(Run run, string productId, string productNumber, ShopVariant variant, string sizeNumber, CancellationToken ct)
    {
        var integration = run.Integration;
        var matches = variant.Sizes.Where(x => string.Equals(x.SizeNumber.Trim(), sizeNumber, StringComparison.Ordinal)).ToList();
        if (matches.Count > 1)
            throw Duplicate("sizes of variant " + variant.VariantNumber, sizeNumber, matches.Select(x => x.Id));
        if (matches.Count == 1)
            return (matches[0], false);

        async Task<IReadOnlyList<ShopSize>> Reread() =>
            (await shop.FindProductsByNumberAsync(integration, productNumber, ct)).Where(x => x.Id == productId)
            .SelectMany(x => x.Variants).Where(x => x.Id == variant.Id)
            .SelectMany(x => x.Sizes).Where(x => string.Equals(x.SizeNumber.Trim(), sizeNumber, StringComparison.Ordinal)).ToList();
        var (sizeId, created) = await CreateInShopOnceAsync(run, $"s|{variant.Id}|{sizeNumber}", SizeStep,
            find: async () => (await Reread()).Select(x => x.Id).ToList(),
            create: () => shop.CreateSizeAsync(integration, variant.Id, sizeNumber, ct),
            what: $"sizes numbered '{sizeNumber}' of variant {variant.VariantNumber}", ct);
        if (created)
            run.CreatedInShop++;
        return ((await Reread()).FirstOrDefault(x => x.Id == sizeId), created);
    }

    /// <summary>
    /// One Centra create, exactly once: the ledger row (flow "shop-products") keeps the attempted phase before the create
    /// is sent, and the item is looked up by its number before every create (also for a new row: storage may have been
    /// lost), so neither a lost answer nor a wiped ledger makes a second product, variant or size.
    /// </summary>
    private async Task<(string Id, bool Created)> CreateInShopOnceAsync(Run run, string key, string step,
        Func<Task<IReadOnlyList<string>>> find, Func<Task<string>> create, string what, CancellationToken ct)
    {
        var work = await exactlyOnce.OpenAsync<ShopProductPhase>(new LedgerKey(run.Integration.Id, Flows.ShopProducts, key), run.CorrelationId, run.CorrelationId, Hold, ct);
        if (work.Document(step) is { } known)
            return (known, false);
        if (work.HeldByOther)
            throw new LeaseHeldException(work.Key, work.Entry.LeaseUntil);
        var found = false;
        CreateOutcome outcome;
        try
        {
            outcome = await work.CreateOnceAsync(
                step,
                ShopProductPhase.CreateAttempted,
                findExisting: async () =>
                {
                    var ids = await find();
                    found = ids.Count > 0;
                    return ids;
                },
                create: create,
                duplicates: list => Duplicate(what, "", list),
                ct,
                precheck: () => Task.FromResult<IReadOnlyList<string>?>(null)); // always the authoritative lookup
        }
        catch (Exception ex) when (ex is not LeaseHeldException and not LeaseLostException)
        {
            await work.ReleaseAsync(ex is JunipeerException j ? j.Code : ErrorCodes.ShopUnavailable, ex.Message, CancellationToken.None);
            throw;
        }

        await work.CompleteAsync(LedgerStatus.Done, ct);
        return (outcome.Id, !found && !outcome.Recovered);
    }

    private static JunipeerException Duplicate(string what, string number, IEnumerable<string> ids) =>
        new(ErrorCodes.ProductDuplicateInShop, $"Centra has several {what}{(number.Length > 0 ? $" numbered '{number}'" : "")}: ids {string.Join(", ", ids)}. Nothing was created or updated for it.");

    // ------------------------------------------------------------------ Centra → Visma.net

    private async Task FromShopAsync(Run run, CancellationToken ct)
    {
        var id = run.Integration.Id;
        var checkpoint = await checkpoints.GetAsync(id, Flows.ProductsFromShop, ct);
        DateTimeOffset? since = checkpoint is { } c ? c - TimeSpan.FromMinutes(run.Integration.Products.OverlapMinutes) : null;
        DateTimeOffset? newest = checkpoint, oldestFailed = null;
        await foreach (var page in shop.ListProductsChangedSinceAsync(run.Integration, since, ct))
        {
            foreach (var product in page)
            {
                newest = newest is null || product.UpdatedAt > newest ? product.UpdatedAt : newest;
                foreach (var variant in product.Variants)
                {
                    foreach (var size in variant.Sizes)
                    {
                        var item = $"centra:{product.ProductNumber}/{variant.VariantNumber}/{size.SizeNumber}";
                        if (!await CatalogueItem.RunAsync(() => ToErpAsync(run, product, variant, size, ct), $"Centra size {item}", logger, async ex =>
                            {
                                run.Failed.Add((item, ex.Code));
                                logger.LogWarning("{ErrorCode}: Centra size {Item} was not synced to Visma.net; the run goes on", ex.Code, item);
                                await EventAsync(run.Integration, item, ex.Code, $"Centra product {product.ProductNumber}, size '{size.Sku}': {ex.Message}", ex.Retryable, ct);
                            }))
                        {
                            oldestFailed = CatalogueItem.Earliest(oldestFailed, product.UpdatedAt);
                        }
                    }
                }
            }
        }

        var next = oldestFailed ?? newest;
        if (next is { } n && n != checkpoint)
            await checkpoints.SetAsync(id, Flows.ProductsFromShop, n, ct);
    }

    private async Task ToErpAsync(Run run, ShopProduct product, ShopVariant variant, ShopSize size, CancellationToken ct)
    {
        var integration = run.Integration;
        var plan = PlanArticle(integration, product, variant, size);
        var (sku, shopPrint, description, attributes) = (plan.Sku, plan.ShopPrint, plan.Description, plan.Attributes);
        var (p, v, s) = (plan.Product, plan.Variant, plan.Size);
        if (shopPrint == await mappings.GetAsync(integration.Id, MappingKinds.ProductShopFingerprint, sku, ct))
        {
            run.Unchanged++;
            return;
        }

        var current = await run.Erp.GetArticleAsync(integration, sku, ct);
        var written = false;
        if (current is null)
        {
            var (_, created) = await CreateArticleOnceAsync(run, new ErpArticleDraft
            {
                Number = sku, Description = description, Attributes = attributes, ItemClass = integration.Products.ItemClass,
                PostingClass = integration.Products.PostingClass, VatCode = integration.Products.VatCode, SalesUnit = integration.Products.SalesUnit,
            }, ct);
            if (created)
            {
                run.CreatedInErp++;
                written = true;
            }
        }

        if (!written)
        {
            var outcome = await GuardedUpdate.RunAsync(
                read: async () => await run.Erp.GetArticleAsync(integration, sku, ct)
                                  ?? throw new JunipeerException(ErrorCodes.ErpRequestRejected, $"Visma.net article {sku} disappeared while it was being updated; the next run creates it again."),
                plan: article =>
                {
                    var change = new ErpArticleChange
                    {
                        Description = string.Equals(article.Description.Trim(), description, StringComparison.Ordinal) ? null : description,
                        Attributes = attributes.Where(a => !(article.Attributes.TryGetValue(a.Key, out var had) && string.Equals(had.Trim(), a.Value, StringComparison.Ordinal)))
                            .ToDictionary(a => a.Key, a => a.Value, StringComparer.OrdinalIgnoreCase),
                    };
                    if (change.IsEmpty)
                        return null;
                    var version = article.Version
                                  ?? throw new JunipeerException(ErrorCodes.ErpUnavailable, $"Visma.net sent no ETag with article {sku}; the update waits for the next run.");
                    return () => run.Erp.UpdateArticleAsync(integration, sku, change, version, ct);
                },
                MaxConflictRetries,
                onConflict: () => logger.LogInformation("Visma.net article {Number} changed since it was read (412); reading it again and re-applying Centra's changes", sku));
            run.Conflicts += outcome.Conflicts;
            if (outcome.Written)
            {
                run.UpdatedInErp++;
                written = true;
            }
        }

        await mappings.SetAsync(integration.Id, MappingKinds.Sku, sku, sku, ct);
        await mappings.SetAsync(integration.Id, MappingKinds.ProductErpFingerprint, sku, ErpPrint(description, p, v, s), ct);
        await mappings.SetAsync(integration.Id, MappingKinds.ProductShopFingerprint, sku, shopPrint, ct);
        if (written)
            run.Synced++;
        else
            run.Unchanged++;
    }

    /// <summary>The article a Centra size maps to (shared with the shadow path): SKU, description, SKU attributes, fingerprint; PRODUCT_SKU_INVALID when the SKU does not fit the rule.</summary>
    internal sealed record ArticlePlan(string Sku, string Product, string Variant, string Size, string Description, Dictionary<string, string> Attributes, string ShopPrint);

    internal static ArticlePlan PlanArticle(Integration integration, ShopProduct product, ShopVariant variant, ShopSize size)
    {
        var rule = integration.Sku;
        var sku = size.Sku.Trim();
        if (sku.Length == 0 || !SkuComposer.MatchesPattern(rule, sku))
        {
            throw new JunipeerException(ErrorCodes.ProductSkuInvalid, sku.Length == 0
                ? "the size has no SKU: give it a size number in Centra"
                : $"SKU '{sku}' does not match the pattern {rule.Pattern}: correct the product, variant or size number in Centra");
        }

        var (p, v, s) = (product.ProductNumber.Trim(), variant.VariantNumber.Trim(), size.SizeNumber.Trim());
        var shopPrint = ShopPrint(product.Name, variant.Name, p, v, s);
        var description = string.IsNullOrWhiteSpace(product.Name) ? sku : product.Name.Trim();
        var attributes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (!string.Equals(rule.ProductNrField, SkuFields.InventoryNumber, StringComparison.OrdinalIgnoreCase))
            attributes[rule.ProductNrField] = p;
        if (rule.VariantField is { } vf)
            attributes[vf] = v;
        if (rule.SizeField is { } sf)
            attributes[sf] = s;

        // The article must build the same SKU under the rule, or the stock flow would address another size.
        var check = SkuComposer.Compose(rule, new ErpArticle(sku, description, attributes, []));
        if (!check.Ok || check.Sku != sku)
        {
            throw new JunipeerException(ErrorCodes.ProductSkuInvalid,
                $"the article for Centra SKU '{sku}' would build SKU '{check.Sku ?? check.Problem}' under the rule {SkuComposer.Describe(rule)}: Centra's SKU must be product number + variant number + size number");
        }

        return new ArticlePlan(sku, p, v, s, description, attributes, shopPrint);
    }

    private async Task<(string Number, bool Created)> CreateArticleOnceAsync(Run run, ErpArticleDraft draft, CancellationToken ct)
    {
        var integration = run.Integration;
        var work = await exactlyOnce.OpenAsync<ArticlePhase>(new LedgerKey(integration.Id, Flows.Articles, draft.Number), run.CorrelationId, run.CorrelationId, Hold, ct);
        if (work.Document(ArticleStep) is { } known)
            return (known, false);
        if (work.HeldByOther)
            throw new LeaseHeldException(work.Key, work.Entry.LeaseUntil);
        var found = false;
        CreateOutcome outcome;
        try
        {
            outcome = await work.CreateOnceAsync(
                ArticleStep,
                ArticlePhase.CreateAttempted,
                findExisting: async () =>
                {
                    // The inventory number is the deterministic key: the SKU itself.
                    var existing = await run.Erp.GetArticleAsync(integration, draft.Number, ct);
                    found = existing is not null;
                    return existing is null ? [] : [existing.Number];
                },
                create: () => run.Erp.CreateArticleAsync(integration, draft, ct),
                duplicates: list => new JunipeerException(ErrorCodes.ErpRequestRejected, $"Visma.net answered several articles numbered {draft.Number}: {string.Join(", ", list)}."),
                ct,
                precheck: () => Task.FromResult<IReadOnlyList<string>?>(null)); // always the authoritative lookup
        }
        catch (Exception ex) when (ex is not LeaseHeldException and not LeaseLostException)
        {
            await work.ReleaseAsync(ex is JunipeerException j ? j.Code : ErrorCodes.ErpUnavailable, ex.Message, CancellationToken.None);
            throw;
        }

        await work.CompleteAsync(LedgerStatus.Done, ct);
        return (outcome.Id, !found && !outcome.Recovered);
    }

    private Task EventAsync(Integration integration, string key, string code, string message, bool retryable, CancellationToken ct) =>
        events.AppendAsync(new OperatorEvent
        {
            IntegrationId = integration.Id, Flow = "products", EntityKey = key, Severity = retryable ? EventSeverity.Warning : EventSeverity.Error,
            Message = message, ErrorCode = code, Fix = ErrorCodes.All.FirstOrDefault(e => e.Code == code)?.Fix, At = time.GetUtcNow(),
        }, ct);
}
