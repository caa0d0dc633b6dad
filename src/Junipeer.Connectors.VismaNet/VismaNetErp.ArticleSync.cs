using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using Junipeer.Connectors.VismaNet.Dtos;
using Junipeer.Core.Erp;
using Junipeer.Core.Integrations;
using Microsoft.Extensions.Logging;

namespace Junipeer.Connectors.VismaNet;

/// <summary>POST/PUT /v1/inventory body (<c>InventoryUpdateDto</c>, value-wrapped): the properties the product sync sends.</summary>
public sealed record InventoryUpdateDto
{
    [JsonPropertyName("inventoryNumber")] public VismaValue<string>? InventoryNumber { get; init; }
    [JsonPropertyName("status")] public VismaValue<string>? Status { get; init; }
    [JsonPropertyName("type")] public VismaValue<string>? Type { get; init; }
    [JsonPropertyName("description")] public VismaValue<string>? Description { get; init; }
    [JsonPropertyName("itemClass")] public VismaValue<string>? ItemClass { get; init; }
    [JsonPropertyName("postingClass")] public VismaValue<string>? PostingClass { get; init; }
    [JsonPropertyName("vatCode")] public VismaValue<string>? VatCode { get; init; }
    [JsonPropertyName("salesUnit")] public VismaValue<string>? SalesUnit { get; init; }
    [JsonPropertyName("attributeLines")] public IReadOnlyList<AttributeLineUpdateDto>? AttributeLines { get; init; }
}

/// <summary>
/// The product sync's article reads and writes: GET /v1/inventory?lastModifiedDateTime&gt;= (paged delta),
/// GET /v1/inventory/{n} (with its ETag), POST /v1/inventory (create, numbered by us), PUT /v1/inventory/{n} with
/// If-Match carrying only the changed fields. The published document declares no If-Match on the inventory PUT; Visma's
/// general ETag documentation says If-Match guards updates. Whether the inventory endpoint enforces it is not
/// documented (VERIFY against a real company): the connector always sends it.
/// </summary>
public sealed partial class VismaNetErp : IErpArticleSync
{
    public async IAsyncEnumerable<IReadOnlyList<ErpArticleRecord>> ListArticlesModifiedSinceAsync(Integration integration, DateTimeOffset? since, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var query = new List<(string, string)>
        {
            ("expandAttribute", "true"),
            ("expandWarehouseDetail", "false"),
            ("expandCrossReference", "false"),
            ("expandAttachment", "false"),
            ("expandAccountInformation", "false"),
            ("expandInventoryUnits", "false"),
            ("expandSupplierDetails", "false"),
            ("expandSalesCategories", "false"),
            ("expandNote", "false"),
        };
        if (since is { } s)
        {
            // Same time-zone caveat as the other deltas: UTC is sent; the flow's overlap absorbs skew.
            query.Add(("lastModifiedDateTime", s.UtcDateTime.ToString(LastModifiedFilterFormat, CultureInfo.InvariantCulture)));
            query.Add(("lastModifiedDateTimeCondition", ">="));
        }

        await foreach (var page in GetPagesAsync<InventoryDto>(integration, VismaOperation.ListArticlesModified, ["v1", "inventory"], [.. query], ArticlePageSize,
                           i => i.Metadata, MaxArticlePages, cancellationToken))
        {
            yield return page.Where(i => !string.IsNullOrEmpty(i.InventoryNumber)).Select(i => ToArticleRecord(i, null)).ToList();
        }
    }

    public async Task<ErpArticleRecord?> GetArticleAsync(Integration integration, string number, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(number);
        try
        {
            var response = await SendAsync(integration, VismaOperation.GetArticle, HttpMethod.Get, ["v1", "inventory", number], [], null, cancellationToken);
            var dto = VismaJson.Deserialize<InventoryDto>(response.Body);
            return dto is null ? null : ToArticleRecord(dto with { InventoryNumber = dto.InventoryNumber ?? number }, response.Header("ETag"));
        }
        catch (VismaNetApiException ex) when (ex.StatusCode == 404)
        {
            return null;
        }
    }

    public async Task<string> CreateArticleAsync(Integration integration, ErpArticleDraft draft, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var dto = new InventoryUpdateDto
        {
            InventoryNumber = VismaValue.Of(draft.Number),
            Status = VismaValue.Of("Active"),
            Type = VismaValue.Of("FinishedGoodItem"),
            Description = VismaValue.Of(draft.Description),
            ItemClass = VismaValue.Of(draft.ItemClass),
            PostingClass = VismaValue.Of(draft.PostingClass),
            VatCode = VismaValue.Of(draft.VatCode),
            SalesUnit = VismaValue.Of(draft.SalesUnit),
            AttributeLines = Lines(draft.Attributes),
        };
        await SendAsync(integration, VismaOperation.CreateArticle, HttpMethod.Post, ["v1", "inventory"], [], VismaJson.Serialize(dto), cancellationToken);
        _logger.LogInformation("Created Visma.net article {Number} for integration {IntegrationId}", draft.Number, integration.Id);
        return draft.Number;
    }

    public async Task UpdateArticleAsync(Integration integration, string number, ErpArticleChange change, string version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        var dto = new InventoryUpdateDto
        {
            Description = VismaValue.Of(change.Description),
            AttributeLines = change.Attributes.Count == 0 ? null : Lines(change.Attributes),
        };
        await SendAsync(integration, VismaOperation.UpdateArticle, HttpMethod.Put, ["v1", "inventory", number], [],
            VismaJson.Serialize(dto), cancellationToken, [("If-Match", version)]);
    }

    private static List<AttributeLineUpdateDto>? Lines(IReadOnlyDictionary<string, string> attributes) =>
        attributes.Count == 0
            ? null
            : [.. attributes.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => new AttributeLineUpdateDto { AttributeId = VismaValue.Of(a.Key), AttributeValue = VismaValue.Of(a.Value) })];

    private static ErpArticleRecord ToArticleRecord(InventoryDto i, string? etag) => new()
    {
        Number = i.InventoryNumber!,
        Description = i.Description ?? "",
        Status = i.Status,
        Attributes = (i.Attributes ?? []).Where(a => a.Id is not null)
            .GroupBy(a => a.Id!, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First().Value ?? "", StringComparer.OrdinalIgnoreCase),
        LastModified = ParseTimestamp(i.LastModifiedDateTime),
        Version = etag,
    };
}
