using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Junipeer.Sandbox.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Junipeer.Sandbox.Visma;

/// <summary>One warehouse line of an inventory item (Visma's <c>WarehouseDetailDto</c>).</summary>
internal sealed class WarehouseDetail
{
    public required string Warehouse { get; init; }

    public bool IsDefault { get; set; }

    public decimal QuantityOnHand { get; set; }

    public decimal Available { get; set; }

    public decimal AvailableForShipment { get; set; }

    public DateTimeOffset LastModified { get; set; }
}

/// <summary>An inventory item (article).</summary>
internal sealed class InventoryItem
{
    public required string InventoryNumber { get; init; }

    public required int InventoryId { get; init; }

    public string Description { get; set; } = "";

    public string Status { get; set; } = "Active";

    public string Type { get; set; } = "FinishedGoodItem";

    /// <summary>Set by POST /v1/inventory (<c>itemClass</c>, <c>postingClass</c>, <c>vatCode</c>, <c>salesUnit</c>); null when not sent.</summary>
    public string? ItemClass { get; set; }

    public string? PostingClass { get; set; }

    public string? VatCode { get; set; }

    public string? SalesUnit { get; set; }

    public Dictionary<string, string> Attributes { get; } = new(StringComparer.OrdinalIgnoreCase);

    public SortedDictionary<string, WarehouseDetail> Warehouses { get; } = new(StringComparer.OrdinalIgnoreCase);

    public DateTimeOffset LastModified { get; set; }

    /// <summary>
    /// The item's availability timestamp (filter <c>availabilityLastModifiedDateTime</c>): the emulator
    /// takes the newest warehouse line change. What moves it in Visma is not documented (VERIFY).
    /// </summary>
    public DateTimeOffset AvailabilityModified => Warehouses.Count == 0 ? LastModified : Warehouses.Values.Max(w => w.LastModified);

    public long Version { get; set; }
}

/// <summary>An article as seeded through the control plane or <see cref="VismaState.UpsertInventory"/>.</summary>
public sealed class VismaInventorySpec
{
    public string InventoryNumber { get; set; } = "";

    public string Description { get; set; } = "";

    public string Status { get; set; } = "Active";

    /// <summary>Attribute id → value (e.g. VARIANT, SIZE).</summary>
    public Dictionary<string, string> Attributes { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Warehouse id → available quantity (on hand and available for shipment are set equal).</summary>
    public Dictionary<string, decimal> Available { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>Ground truth of one article: number, attributes and per-warehouse available quantity.</summary>
public sealed record VismaInventorySnapshot(
    string InventoryNumber,
    string Description,
    IReadOnlyDictionary<string, string> Attributes,
    IReadOnlyDictionary<string, decimal> Available,
    DateTimeOffset AvailabilityModified)
{
    /// <summary>What the article was created with through the API (null: not sent).</summary>
    public string? ItemClass { get; init; }

    public string? PostingClass { get; init; }

    public string? VatCode { get; init; }

    public string? SalesUnit { get; init; }
}

/// <summary>Inventory (articles, attributes, warehouse details, availability timestamps): GET /v1/inventory.</summary>
public sealed partial class VismaState
{
    /// <summary>Largest page of GET /v1/inventory ("MaxPageSize will be set to 5000", published parameter text).</summary>
    public const int InventoryMaxPageSize = 5000;

    /// <summary>Creates or replaces articles (attributes, availability); every warehouse line is stamped now.</summary>
    public void UpsertInventory(string tenantId, params VismaInventorySpec[] specs)
    {
        ArgumentNullException.ThrowIfNull(specs);
        var queued = false;
        lock (_gate)
        {
            var c = _companies[tenantId];
            var now = Now;
            foreach (var spec in specs)
            {
                if (string.IsNullOrWhiteSpace(spec.InventoryNumber))
                {
                    throw new ArgumentException("inventoryNumber is required.", nameof(specs));
                }

                if (!c.Inventory.TryGetValue(spec.InventoryNumber, out var item))
                {
                    item = new InventoryItem { InventoryNumber = spec.InventoryNumber, InventoryId = c.NextInternalId++ };
                    c.Inventory[spec.InventoryNumber] = item;
                }

                item.Description = spec.Description;
                item.Status = spec.Status;
                item.Attributes.Clear();
                foreach (var (k, v) in spec.Attributes)
                {
                    item.Attributes[k] = v;
                }

                item.Warehouses.Clear();
                foreach (var (warehouse, qty) in spec.Available)
                {
                    item.Warehouses[warehouse] = new WarehouseDetail
                    {
                        Warehouse = warehouse, IsDefault = item.Warehouses.Count == 0, QuantityOnHand = qty, Available = qty, AvailableForShipment = qty, LastModified = now,
                    };
                }

                item.LastModified = now;
                item.Version = c.NextVersion();
                queued |= QueueInventoryNotification(tenantId, spec.InventoryNumber);
            }
        }

        if (queued)
        {
            RaiseInventoryNotifications();
        }
    }

    /// <summary>Sets one warehouse's available quantity (a stock movement in the ERP) and stamps its availability timestamp.</summary>
    public void SetAvailable(string tenantId, string inventoryNumber, string warehouse, decimal available)
    {
        bool queued;
        lock (_gate)
        {
            var item = _companies[tenantId].Inventory[inventoryNumber];
            if (!item.Warehouses.TryGetValue(warehouse, out var line))
            {
                line = new WarehouseDetail { Warehouse = warehouse };
                item.Warehouses[warehouse] = line;
            }

            line.QuantityOnHand = available;
            line.Available = available;
            line.AvailableForShipment = available;
            line.LastModified = Now;
            // A quantity change notifies as Inventory Item "Changed" (Visma: "Fires when Inventory item is created or
            // updated"; whether a stock movement counts as an update is not documented — VERIFY).
            queued = QueueInventoryNotification(tenantId, inventoryNumber);
        }

        if (queued)
        {
            RaiseInventoryNotifications();
        }
    }

    /// <summary>Ground truth: every article of the tenant, ordered by number.</summary>
    public IReadOnlyList<VismaInventorySnapshot> InventoryItems(string tenantId)
    {
        lock (_gate)
        {
            return _companies.TryGetValue(tenantId, out var c)
                ? [.. c.Inventory.Values.Select(x => new VismaInventorySnapshot(x.InventoryNumber, x.Description,
                    new Dictionary<string, string>(x.Attributes, StringComparer.OrdinalIgnoreCase),
                    x.Warehouses.ToDictionary(w => w.Key, w => w.Value.Available, StringComparer.OrdinalIgnoreCase),
                    x.AvailabilityModified)
                {
                    ItemClass = x.ItemClass, PostingClass = x.PostingClass, VatCode = x.VatCode, SalesUnit = x.SalesUnit,
                })]
                : [];
        }
    }

    internal ApiResult ListInventory(string tenantId, IQueryCollection query) => WithCompany(tenantId, c =>
    {
        IEnumerable<InventoryItem> items = c.Inventory.Values;
        items = WhereEquals(items, query, "inventoryNumber", x => x.InventoryNumber, StringComparison.OrdinalIgnoreCase);
        items = WhereEquals(items, query, "status", x => x.Status, StringComparison.OrdinalIgnoreCase);
        if (Q(query, "attributes") is { } attrs)
        {
            JsonObject? filter;
            try
            {
                filter = JsonNode.Parse(attrs) as JsonObject;
            }
            catch (JsonException)
            {
                filter = null;
            }

            if (filter is null)
            {
                return Bad("The attributes filter must be a JSON object, e.g. {\"ID\":\"value\"}.");
            }

            var pairs = filter.Select(kv => (kv.Key, Value: Wire.AsString(kv.Value))).ToList();
            items = items.Where(x => pairs.All(p => x.Attributes.TryGetValue(p.Key, out var v) && string.Equals(v, p.Value, StringComparison.Ordinal)));
        }

        if (FilterModified(query, ref items, x => x.LastModified) is { } modifiedError)
        {
            return Bad(modifiedError);
        }

        if (FilterDate(query, "availabilityLastModifiedDateTime", ref items, x => x.AvailabilityModified) is { } availabilityError)
        {
            return Bad(availabilityError);
        }

        // The expand* flags are "by default set to true" (published text): absent means expanded.
        var warehouses = !string.Equals(Q(query, "expandWarehouseDetail"), "false", StringComparison.OrdinalIgnoreCase);
        var attributes = !string.Equals(Q(query, "expandAttribute"), "false", StringComparison.OrdinalIgnoreCase);
        return PageOf(items, x => InventoryJson(x, warehouses, attributes), query, InventoryMaxPageSize);
    });

    internal ApiResult GetInventory(string tenantId, string number) => WithCompany(tenantId, c =>
        c.Inventory.TryGetValue(number, out var x)
            ? new ApiResult(200, InventoryJson(x, warehouses: true, attributes: true), ETag: ETagOf(x.Version))
            : NotFound($"Inventory item '{number}' was not found."));

    private static JsonObject InventoryJson(InventoryItem x, bool warehouses, bool attributes)
    {
        var o = new JsonObject
        {
            ["inventoryId"] = x.InventoryId,
            ["inventoryNumber"] = x.InventoryNumber,
            ["status"] = x.Status,
            ["type"] = x.Type,
            ["description"] = x.Description,
            ["stockItem"] = true,
            ["lastModifiedDateTime"] = Wire.Iso(x.LastModified),
            ["timestamp"] = TimeStampOf(x.Version),
            ["errorInfo"] = null,
        };
        // Read shapes: itemClass and vatCode {id, description} (reference §2.10); postingClass is an object in the
        // published read schema whose properties were trimmed, taken as the same {id, description}; salesUnit a string.
        if (x.ItemClass is not null)
        {
            o["itemClass"] = new JsonObject { ["id"] = x.ItemClass, ["description"] = x.ItemClass };
        }

        if (x.PostingClass is not null)
        {
            o["postingClass"] = new JsonObject { ["id"] = x.PostingClass, ["description"] = x.PostingClass };
        }

        if (x.VatCode is not null)
        {
            o["vatCode"] = new JsonObject { ["id"] = x.VatCode, ["description"] = x.VatCode };
        }

        if (x.SalesUnit is not null)
        {
            o["salesUnit"] = x.SalesUnit;
        }

        if (attributes)
        {
            o["attributes"] = new JsonArray([.. x.Attributes.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => (JsonNode)new JsonObject
            {
                ["id"] = a.Key,
                ["value"] = a.Value,
                ["description"] = a.Key,
            })]);
        }

        if (warehouses)
        {
            o["warehouseDetails"] = new JsonArray([.. x.Warehouses.Values.Select(w => (JsonNode)new JsonObject
            {
                ["isDefault"] = w.IsDefault,
                ["warehouse"] = w.Warehouse,
                ["quantityOnHand"] = w.QuantityOnHand,
                ["available"] = w.Available,
                ["availableForShipment"] = w.AvailableForShipment,
                ["lastModifiedDateTime"] = Wire.Iso(w.LastModified),
            })]);
        }

        return o;
    }

    /// <summary>A <c>{name}</c> + <c>{name}Condition</c> date filter, read like lastModifiedDateTime (UTC).</summary>
    private static string? FilterDate<T>(IQueryCollection query, string name, ref IEnumerable<T> items, Func<T, DateTimeOffset> field)
    {
        var value = Q(query, name);
        var condition = Q(query, name + "Condition");
        if (value is null && condition is null)
        {
            return null;
        }

        if (value is null || condition is null)
        {
            return $"{name} and {name}Condition must be used together.";
        }

        if (!DateTime.TryParseExact(value, ModifiedFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var dt))
        {
            return $"Invalid {name} '{value}'.";
        }

        var at = new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc));
        Func<DateTimeOffset, bool>? test = condition switch
        {
            ">" => t => t > at,
            "<" => t => t < at,
            ">=" => t => t >= at,
            "<=" => t => t <= at,
            _ => null,
        };
        if (test is null)
        {
            return $"Invalid {name}Condition '{condition}'.";
        }

        items = items.Where(x => test(TruncateToMilliseconds(field(x)))).ToList();
        return null;
    }
}
