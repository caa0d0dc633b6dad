namespace Junipeer.Core.Integrations;

/// <summary>Catalogue flows of an integration: how the SKU is built, products and stock.</summary>
public sealed partial record Integration
{
    /// <summary>How the shop SKU is built from the ERP article (ProductNrField + Variant + Size).</summary>
    public SkuSettings Sku { get; init; } = new();

    /// <summary>Products / articles: which side is the master.</summary>
    public ProductFlowSettings Products { get; init; } = new();

    /// <summary>Stock from the ERP to the shop.</summary>
    public StockFlowSettings Stock { get; init; } = new();
}

/// <summary>
/// SKU = ProductNrField + Variant + Size (seed: "SKU = ProductNrField + Variant + Size"), the parts taken from
/// the Visma.net article and joined with <see cref="Separator"/> (Centra concatenates its product, variant and
/// size numbers without one). Changing any of these on an integration that already has SKU mappings is
/// refused (SKU_MAPPING_CHANGED) until <c>junipeer reimport products</c> rebuilds them.
/// </summary>
public sealed record SkuSettings
{
    /// <summary>The article field that holds the product number: <c>inventoryNumber</c> (default) or an attribute id.</summary>
    public string ProductNrField { get; init; } = SkuFields.InventoryNumber;

    /// <summary>Article attribute holding the variant (e.g. <c>Information5</c>); null: no variant part.</summary>
    public string? VariantField { get; init; }

    /// <summary>Article attribute holding the size (e.g. <c>Information4</c>); null: no size part.</summary>
    public string? SizeField { get; init; }

    /// <summary>Put between the non-empty parts; default none.</summary>
    public string Separator { get; init; } = "";

    /// <summary>Optional regular expression every full SKU must match (both sides); a value that does not is a pattern break.</summary>
    public string? Pattern { get; init; }
}

public static class SkuFields
{
    public const string InventoryNumber = "inventoryNumber";
}

/// <summary>Which side creates and updates products / articles.</summary>
public enum ProductDirection
{
    /// <summary>No product sync; SKU mappings are still built by <c>junipeer reimport products</c>.</summary>
    Off,

    /// <summary>Visma.net articles are the master; Centra products follow.</summary>
    VismaToCentra,

    /// <summary>Centra products are the master; Visma.net articles follow.</summary>
    CentraToVisma,
}

/// <summary>
/// Products / articles on the <c>ProductSyncSchedule</c> timer, in the configured direction: the master side's changes
/// (delta by its modification time, checkpoint minus <see cref="OverlapMinutes"/>) create or update the other side;
/// the SKU is built with <see cref="Integration.Sku"/> and stored in the Mappings table (kind <c>sku</c>).
/// </summary>
public sealed record ProductFlowSettings
{
    public ProductDirection Direction { get; init; } = ProductDirection.Off;

    /// <summary>How far before its checkpoint each delta read starts (the time zone of the vendors' timestamps is not documented).</summary>
    public int OverlapMinutes { get; init; } = 10;

    /// <summary>
    /// CentraToVisma: the Visma.net item class of a new article (<c>itemClass</c>; Visma's text marks it mandatory, the
    /// class gives posting and VAT defaults). Null: not sent (the company's default applies, if it has one).
    /// </summary>
    public string? ItemClass { get; init; }

    /// <summary>
    /// CentraToVisma: the posting class of a new article (<c>postingClass</c>: the GL accounts its transactions use). Null: not
    /// sent (the item class's posting class applies).
    /// </summary>
    public string? PostingClass { get; init; }

    /// <summary>
    /// CentraToVisma: the VAT code of a new article (<c>vatCode</c>, a Visma.net VAT category id, at most 6 characters). Null: not
    /// sent (the item class's VAT category applies).
    /// </summary>
    public string? VatCode { get; init; }

    /// <summary>
    /// CentraToVisma: the sales unit of a new article (<c>salesUnit</c>, e.g. PCS; Visma needs a conversion from the item
    /// class's base unit). Null: not sent (the item class's sales unit applies).
    /// </summary>
    public string? SalesUnit { get; init; }
}

/// <summary>Which ERP quantity becomes the shop's stock.</summary>
public enum StockQuantity
{
    /// <summary>Visma.net <c>available</c> of the warehouse line.</summary>
    Available,

    /// <summary>Visma.net <c>availableForShipment</c>.</summary>
    AvailableForShipment,
}

public sealed record StockFlowSettings
{
    public bool Enabled { get; init; }

    /// <summary>Visma.net warehouse → Centra warehouse; only mapped warehouses are synced.</summary>
    public IReadOnlyList<WarehouseMapping> Warehouses { get; init; } = [];

    public StockQuantity Quantity { get; init; } = StockQuantity.Available;

    /// <summary>How far before its checkpoint each delta read starts (the time zone of Visma's timestamps is not documented).</summary>
    public int OverlapMinutes { get; init; } = 10;

    /// <summary>Sizes per Centra setStock call (Centra documents no maximum; complexity limits apply).</summary>
    public int BatchSize { get; init; } = 500;

    /// <summary>
    /// Visma.net webhook notifications for inventory items (publisher Visma Net Financial, entity Inventory Item, events
    /// Changed / Created / Updated) trigger a stock pass soon, on top of the timer. A hint only says "look now": the pass
    /// reads the availability delta as the timer does, so a forged, repeated or lost hint cannot put a wrong quantity in
    /// the shop, and the timer stays the fallback.
    /// </summary>
    public bool WebhookHints { get; init; }

    /// <summary>
    /// Secret name of the signing key of the Developer Portal subscription that sends the inventory events
    /// (<c>x-vwd-signature-v1</c>); null: the Visma webhook key of <c>Shipments.WebhookSecretName</c> signs them too.
    /// </summary>
    public string? WebhookSecretName { get; init; }

    /// <summary>The previous signing key during a rotation.</summary>
    public string? PreviousWebhookSecretName { get; init; }

    /// <summary>
    /// How long a hint waits on the queue before its pass starts (0-300 s): hints that arrive meanwhile are covered by the
    /// same pass (coalescing). Visma groups and retries notifications under load.
    /// </summary>
    public int HintDelaySeconds { get; init; } = 5;
}

public sealed record WarehouseMapping
{
    /// <summary>Visma.net warehouse id (<c>warehouseDetails[].warehouse</c>).</summary>
    public required string VismaWarehouseId { get; init; }

    /// <summary>Centra warehouse id (<c>setStock(input: {warehouse: {id}})</c>).</summary>
    public required int CentraWarehouseId { get; init; }
}
