using System.Globalization;
using System.Runtime.CompilerServices;
using Junipeer.Connectors.VismaNet.Dtos;
using Junipeer.Core.Erp;
using Junipeer.Core.Integrations;

namespace Junipeer.Connectors.VismaNet;

/// <summary>
/// The customer sync's reads and guarded updates: GET /v1/customer?lastModifiedDateTime&gt;= (paged delta),
/// GET /v1/customer/{n} (with its ETag), PUT /v1/customer/{n} with If-Match carrying only the changed fields.
/// </summary>
public sealed partial class VismaNetErp : IErpCustomerSync
{
    private const int MaxCustomerPages = 10_000;

    public async IAsyncEnumerable<IReadOnlyList<ErpCustomerRecord>> ListCustomersModifiedSinceAsync(Integration integration, DateTimeOffset? since, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Same time-zone caveat as the invoice delta: UTC is sent; the flow's overlap absorbs skew.
        (string, string)[] query = since is { } s
            ? [("lastModifiedDateTime", s.UtcDateTime.ToString(LastModifiedFilterFormat, CultureInfo.InvariantCulture)), ("lastModifiedDateTimeCondition", ">=")]
            : [];
        await foreach (var page in GetPagesAsync<CustomerDto>(integration, VismaOperation.ListCustomersModified, ["v1", "customer"], query, LookupPageSize,
                           c => c.Metadata, MaxCustomerPages, cancellationToken))
        {
            yield return page.Where(c => !string.IsNullOrEmpty(c.Number)).Select(c => ToRecord(c, null)).ToList();
        }
    }

    public async Task<ErpCustomerRecord?> GetCustomerAsync(Integration integration, string customerNumber, CancellationToken cancellationToken)
    {
        try
        {
            var response = await SendAsync(integration, VismaOperation.GetCustomer, HttpMethod.Get, ["v1", "customer", customerNumber], [], null, cancellationToken);
            var dto = VismaJson.Deserialize<CustomerDto>(response.Body);
            return dto is null ? null : ToRecord(dto with { Number = dto.Number ?? customerNumber }, response.Header("ETag"));
        }
        catch (VismaNetApiException ex) when (ex.StatusCode == 404)
        {
            return null;
        }
    }

    public async Task UpdateCustomerFieldsAsync(Integration integration, string customerNumber, ErpCustomerChange change, string version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        var address = change.Address is { } a
            ? VismaValue.OfObject(new AddressUpdateDto
            {
                AddressLine1 = VismaValue.Of(a.Line1 ?? ""),
                AddressLine2 = VismaValue.Of(a.Line2 ?? ""),
                PostalCode = VismaValue.Of(a.PostalCode ?? ""),
                City = VismaValue.Of(a.City ?? ""),
                CountryId = VismaValue.Of(a.CountryCode?.ToUpperInvariant()),
            })
            : null;
        var dto = new CustomerUpdateDto
        {
            Name = VismaValue.Of(change.Name),
            CustomerClassId = VismaValue.Of(change.CustomerClassId),
            VatZoneId = VismaValue.Of(change.VatZoneId),
            VatRegistrationId = VismaValue.Of(change.VatRegistrationId),
            MainAddress = address,
            InvoiceAddress = address,
            MainContact = change.Email is null && change.Name is null
                ? null
                : VismaValue.OfObject(new ContactInfoUpdateDto
                {
                    Name = VismaValue.Of(change.ContactName),
                    Email = VismaValue.Of(change.Email ?? change.CurrentEmail),
                    Phone1 = VismaValue.Of(change.CurrentPhone),
                }),
        };
        await SendAsync(integration, VismaOperation.UpdateCustomer, HttpMethod.Put, ["v1", "customer", customerNumber], [],
            VismaJson.Serialize(dto), cancellationToken, [("If-Match", version)]);
    }

    private static ErpCustomerRecord ToRecord(CustomerDto c, string? etag) => new()
    {
        Number = c.Number!,
        Name = c.Name ?? "",
        Email = c.MainContact?.Email ?? c.InvoiceContact?.Email,
        Phone = c.MainContact?.Phone1,
        Address = new CustomerAddress
        {
            Line1 = c.MainAddress?.AddressLine1,
            Line2 = c.MainAddress?.AddressLine2,
            PostalCode = c.MainAddress?.PostalCode,
            City = c.MainAddress?.City,
            CountryCode = c.MainAddress?.Country?.Id,
        },
        VatRegistrationId = c.VatRegistrationId,
        CustomerClassId = c.CustomerClass?.Id,
        VatZoneId = c.VatZone?.Id,
        CorporateId = c.CorporateId,
        Attributes = (c.Attributes ?? []).Where(x => x.Id is not null).GroupBy(x => x.Id!, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First().Value ?? "", StringComparer.OrdinalIgnoreCase),
        LastModified = ParseTimestamp(c.LastModifiedDateTime),
        Version = etag,
    };
}
