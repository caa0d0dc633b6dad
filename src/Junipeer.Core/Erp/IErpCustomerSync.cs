using Junipeer.Core.Integrations;

namespace Junipeer.Core.Erp;

/// <summary>
/// Port: ERP customers for the customer sync (both ways): the delta by last modification, one customer with its
/// version (ETag), and a partial update guarded by that version. Creates go through <see cref="IErpCustomers"/>.
/// </summary>
public interface IErpCustomerSync
{
    /// <summary>Customers modified at or after <paramref name="since"/> (every customer when null), page by page.</summary>
    IAsyncEnumerable<IReadOnlyList<ErpCustomerRecord>> ListCustomersModifiedSinceAsync(Integration integration, DateTimeOffset? since, CancellationToken cancellationToken);

    /// <summary>One customer with its current version, or null when there is none.</summary>
    Task<ErpCustomerRecord?> GetCustomerAsync(Integration integration, string customerNumber, CancellationToken cancellationToken);

    /// <summary>
    /// Sends only the fields set in <paramref name="change"/>, guarded by <paramref name="version"/> (If-Match). A
    /// version that no longer matches fails with <c>ERP_VERSION_CONFLICT</c> and changes nothing.
    /// </summary>
    Task UpdateCustomerFieldsAsync(Integration integration, string customerNumber, ErpCustomerChange change, string version, CancellationToken cancellationToken);
}

/// <summary>An ERP customer as read: the fields the customer sync carries, plus its version.</summary>
public sealed record ErpCustomerRecord
{
    public required string Number { get; init; }
    public required string Name { get; init; }
    public string? Email { get; init; }
    public string? Phone { get; init; }
    public CustomerAddress Address { get; init; } = new();
    public string? VatRegistrationId { get; init; }
    public string? CustomerClassId { get; init; }
    public string? VatZoneId { get; init; }
    public string? CorporateId { get; init; }
    public IReadOnlyDictionary<string, string> Attributes { get; init; } = new Dictionary<string, string>();
    public DateTimeOffset? LastModified { get; init; }

    /// <summary>The ETag of this read (null when the list read carried none).</summary>
    public string? Version { get; init; }
}

/// <summary>A postal address, the part both systems hold.</summary>
public sealed record CustomerAddress
{
    public string? Line1 { get; init; }
    public string? Line2 { get; init; }
    public string? PostalCode { get; init; }
    public string? City { get; init; }
    public string? CountryCode { get; init; }
}

/// <summary>The fields to change; null = leave as it is. The address is sent whole when set.</summary>
public sealed record ErpCustomerChange
{
    public string? Name { get; init; }
    public string? Email { get; init; }
    public CustomerAddress? Address { get; init; }

    /// <summary>Set to "" to clear.</summary>
    public string? VatRegistrationId { get; init; }
    public string? CustomerClassId { get; init; }
    public string? VatZoneId { get; init; }

    /// <summary>The contact as it should read when <see cref="Email"/> or <see cref="Name"/> is sent (the contact is sent whole).</summary>
    public string? ContactName { get; init; }
    public string? CurrentEmail { get; init; }
    public string? CurrentPhone { get; init; }

    public bool IsEmpty => Name is null && Email is null && Address is null && VatRegistrationId is null && CustomerClassId is null && VatZoneId is null;
}
