using Junipeer.Core.Integrations;

namespace Junipeer.Core.Erp;

/// <summary>
/// Port: ERP articles (inventory items) for the product sync: the delta by last modification, one article with its
/// version (ETag), a create, and an update guarded by that version (If-Match).
/// </summary>
public interface IErpArticleSync
{
    /// <summary>Articles modified at or after <paramref name="since"/> (every article when null), page by page.</summary>
    IAsyncEnumerable<IReadOnlyList<ErpArticleRecord>> ListArticlesModifiedSinceAsync(Integration integration, DateTimeOffset? since, CancellationToken cancellationToken);

    /// <summary>One article by its number with its current version, or null when there is none.</summary>
    Task<ErpArticleRecord?> GetArticleAsync(Integration integration, string number, CancellationToken cancellationToken);

    /// <summary>Creates an article numbered <see cref="ErpArticleDraft.Number"/>; returns the number. Not retried after it may have been sent.</summary>
    Task<string> CreateArticleAsync(Integration integration, ErpArticleDraft draft, CancellationToken cancellationToken);

    /// <summary>
    /// Sends only the fields set in <paramref name="change"/>, guarded by <paramref name="version"/> (If-Match). A version
    /// that no longer matches fails with <c>ERP_VERSION_CONFLICT</c> and changes nothing.
    /// </summary>
    Task UpdateArticleAsync(Integration integration, string number, ErpArticleChange change, string version, CancellationToken cancellationToken);
}

/// <summary>An ERP article as read by the product sync.</summary>
public sealed record ErpArticleRecord
{
    public required string Number { get; init; }
    public string Description { get; init; } = "";
    public string? Status { get; init; }
    public IReadOnlyDictionary<string, string> Attributes { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
    public DateTimeOffset? LastModified { get; init; }

    /// <summary>The ETag of this read (null when the list read carried none).</summary>
    public string? Version { get; init; }

    public ErpArticle AsArticle() => new(Number, Description, Attributes, []);
}

/// <summary>A new article.</summary>
public sealed record ErpArticleDraft
{
    public required string Number { get; init; }
    public required string Description { get; init; }
    public IReadOnlyDictionary<string, string> Attributes { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
    public string? ItemClass { get; init; }

    /// <summary>Posting class id (<c>postingClass</c>); null: not sent.</summary>
    public string? PostingClass { get; init; }

    /// <summary>VAT category id (<c>vatCode</c>); null: not sent.</summary>
    public string? VatCode { get; init; }

    /// <summary>Sales unit (<c>salesUnit</c>); null: not sent.</summary>
    public string? SalesUnit { get; init; }
}

/// <summary>The fields to change; null = leave as it is. Only the listed attributes are sent.</summary>
public sealed record ErpArticleChange
{
    public string? Description { get; init; }
    public IReadOnlyDictionary<string, string> Attributes { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    public bool IsEmpty => Description is null && Attributes.Count == 0;
}
