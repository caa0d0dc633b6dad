using System.Text.Json.Nodes;
using Junipeer.Sandbox.Infrastructure;

namespace Junipeer.Sandbox.Visma;

/// <summary>
/// Inventory writes for the product sync: POST /v1/inventory (201) and PUT /v1/inventory/{inventoryNumber} (204; with
/// If-Match a stale ETag answers 412 and changes nothing). Counts API creates, updates and echoes (a PUT that changed
/// nothing: a change sent back where it came from).
/// </summary>
public sealed partial class VismaState
{
    /// <summary>Articles created through the API.</summary>
    public int InventoryCreatedByApi { get; private set; }

    /// <summary>API updates (PUT) of an article that changed something.</summary>
    public int InventoryUpdatedByApi { get; private set; }

    /// <summary>API updates (PUT) of an article that changed none of its fields.</summary>
    public int InventoryEchoes { get; private set; }

    /// <summary>PUTs refused with 412 (stale If-Match).</summary>
    public int InventoryVersionConflicts { get; private set; }

    /// <summary>Test hook: runs inside PUT /v1/inventory/{n} before If-Match is checked (e.g. a user saves the article meanwhile).</summary>
    public Action<string, string>? OnInventoryUpdate { get; set; }

    /// <summary>A user edits an article in Visma.net: description and/or attributes (lastModifiedDateTime and the ETag move).</summary>
    public void EditInventory(string tenantId, string inventoryNumber, string? description = null, IReadOnlyDictionary<string, string>? attributes = null)
    {
        lock (_gate)
        {
            var c = _companies[tenantId];
            var item = c.Inventory[inventoryNumber];
            item.Description = description ?? item.Description;
            foreach (var (k, v) in attributes ?? new Dictionary<string, string>())
            {
                item.Attributes[k] = v;
            }

            item.LastModified = Now;
            item.Version = c.NextVersion();
        }
    }

    internal ApiResult CreateInventory(string tenantId, JsonObject? body) => WithCompany(tenantId, c =>
    {
        if (body is null)
        {
            return Bad("The request body must be a JSON object.");
        }

        var number = Wire.Str(body, "inventoryNumber")?.Trim();
        if (string.IsNullOrEmpty(number))
        {
            // "Mandatory for POST" (published property description).
            return Bad("'inventoryNumber' is mandatory when an inventory item is created.");
        }

        if (c.Inventory.ContainsKey(number))
        {
            // What Visma answers here is not documented; an IPP-style 400 like other duplicate keys.
            return Bad($"Inventory item '{number}' already exists.");
        }

        var vatCode = Wire.Str(body, "vatCode");
        if (vatCode is not null && !c.Categories.ContainsKey(vatCode))
        {
            // Visma's answer to an unknown VAT category on an item is not documented; an IPP-style 400 naming it.
            return Bad($"VAT category '{vatCode}' does not exist.");
        }

        var item = new InventoryItem { InventoryNumber = number, InventoryId = c.NextInternalId++ };
        item.ItemClass = Wire.Str(body, "itemClass");
        item.PostingClass = Wire.Str(body, "postingClass");
        item.VatCode = vatCode;
        item.SalesUnit = Wire.Str(body, "salesUnit");
        item.Description = Wire.Str(body, "description") ?? "";
        item.Status = Wire.Str(body, "status") ?? "Active";
        item.Type = Wire.Str(body, "type") ?? "FinishedGoodItem";
        ApplyAttributeLines(item, body);
        item.LastModified = Now;
        item.Version = c.NextVersion();
        c.Inventory[number] = item;
        InventoryCreatedByApi++;
        return new ApiResult(201, null, LocationPath: "/v1/inventory/" + Uri.EscapeDataString(number), ETag: ETagOf(item.Version));
    });

    internal ApiResult UpdateInventory(string tenantId, string number, JsonObject? body, string? ifMatch) => WithCompany(tenantId, c =>
    {
        if (!c.Inventory.TryGetValue(number, out var item))
        {
            return NotFound($"Inventory item '{number}' was not found.");
        }

        OnInventoryUpdate?.Invoke(tenantId, number);
        if (!string.IsNullOrWhiteSpace(ifMatch) && !string.Equals(ifMatch.Trim(), ETagOf(item.Version), StringComparison.Ordinal))
        {
            InventoryVersionConflicts++;
            return new ApiResult(412, Message("Inventory version does not match with If-Match header."));
        }

        if (body is null)
        {
            return Bad("The request body must be a JSON object.");
        }

        if (Wire.Has(body, "inventoryNumber") && !string.Equals(Wire.Str(body, "inventoryNumber"), number, StringComparison.Ordinal))
        {
            // "Mandatory for POST, not applicable for PUT" (published property description); renames go through changeInventoryNbr.
            return Bad("'inventoryNumber' is not applicable when an inventory item is updated.");
        }

        var before = InventoryFingerprint(item);
        if (Wire.Has(body, "description"))
        {
            item.Description = Wire.Str(body, "description") ?? "";
        }

        item.Status = Wire.Str(body, "status") ?? item.Status;
        item.Type = Wire.Str(body, "type") ?? item.Type;
        ApplyAttributeLines(item, body);
        if (InventoryFingerprint(item) == before)
        {
            InventoryEchoes++;
        }
        else
        {
            InventoryUpdatedByApi++;
        }

        item.LastModified = Now;
        item.Version = c.NextVersion();
        return new ApiResult(204, null, ETag: ETagOf(item.Version));
    });

    /// <summary>Whether a PUT of attributeLines replaces the set or updates the listed ones is not documented: the listed ones are updated.</summary>
    private static void ApplyAttributeLines(InventoryItem item, JsonObject body)
    {
        foreach (var line in (Wire.Arr(body, "attributeLines") ?? []).OfType<JsonObject>())
        {
            if (Wire.Str(line, "attributeId") is { Length: > 0 } id)
            {
                item.Attributes[id] = Wire.Str(line, "attributeValue") ?? "";
            }
        }
    }

    private static string InventoryFingerprint(InventoryItem x) => string.Join('\u001f',
        x.Description, x.Status, x.Type,
        string.Join(';', x.Attributes.OrderBy(a => a.Key, StringComparer.OrdinalIgnoreCase).Select(a => a.Key + "=" + a.Value)));

    private void ResetInventorySync()
    {
        InventoryCreatedByApi = 0;
        InventoryUpdatedByApi = 0;
        InventoryEchoes = 0;
        InventoryVersionConflicts = 0;
        OnInventoryUpdate = null;
    }
}
