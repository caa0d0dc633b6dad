using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using Junipeer.Connectors.Http;
using Junipeer.Core.Customers;
using Junipeer.Core.Erp;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;

namespace Junipeer.Connectors.Centra;

/// <summary>
/// Centra customers for the customer sync (Integration API): the delta <c>customers(where: {updatedAt: {from}},
/// sort: [updatedAt_ASC, id_ASC])</c> read by keyset (the next page starts at the newest <c>updatedAt</c> seen),
/// lookups by e-mail and id, <c>createCustomer</c> and <c>updateCustomer</c>. Mutations answer 200 with
/// <c>userErrors</c> on refusal: those become <c>SHOP_MUTATION_REJECTED</c> with Centra's text.
/// </summary>
public sealed class CentraCustomers(CentraGraphQlClient graphQl) : IShopCustomers
{
    public const int PageSize = 100;
    private const int MaxPages = 100_000;
    private const string Fields = "id email firstName lastName updatedAt billingAddress { companyName address1 address2 city zipCode country { code } vatNumber }";

    internal const string ChangedQuery = $$"""
        query CustomersChangedSince($from: DateTimeTz!, $limit: Int!, $page: Int!) {
          customers(where: { updatedAt: { from: $from } }, sort: [updatedAt_ASC, id_ASC], limit: $limit, page: $page) { {{Fields}} }
        }
        """;

    internal const string AllQuery = $$"""
        query AllCustomers($limit: Int!, $page: Int!) {
          customers(sort: [updatedAt_ASC, id_ASC], limit: $limit, page: $page) { {{Fields}} }
        }
        """;

    internal const string ByEmailQuery = $$"""
        query CustomersByEmail($email: String!) {
          customers(where: { email: $email }, limit: 10, page: 1) { {{Fields}} }
        }
        """;

    internal const string ByIdQuery = $$"""
        query CustomerById($ids: [Int!]) {
          customers(where: { id: $ids }, limit: 1, page: 1) { {{Fields}} }
        }
        """;

    internal const string CreateMutation = """
        mutation CreateCustomer($input: CustomerCreateInput!) {
          createCustomer(input: $input) { customer { id } userErrors { message path } }
        }
        """;

    internal const string UpdateMutation = """
        mutation UpdateCustomer($customer: CustomerInput!, $input: CustomerUpdateInput!) {
          updateCustomer(customer: $customer, input: $input) { customer { id } userErrors { message path } }
        }
        """;

    public async IAsyncEnumerable<IReadOnlyList<ShopCustomer>> ListCustomersChangedSinceAsync(Integration integration, DateTimeOffset? since, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var seen = new HashSet<(string, DateTimeOffset)>();
        var from = since;
        var page = 1;
        for (var n = 0; n < MaxPages; n++)
        {
            var variables = new Dictionary<string, object> { ["limit"] = PageSize, ["page"] = page };
            if (from is { } f)
                variables["from"] = f.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
            var data = await graphQl.QueryAsync<CustomersData>(integration, from is null ? "AllCustomers" : "CustomersChangedSince", from is null ? AllQuery : ChangedQuery,
                variables, cancellationToken);
            var items = (data.Customers ?? []).Select(ToShop).ToList();
            var fresh = items.Where(c => seen.Add((c.Id, c.UpdatedAt))).ToList();
            if (fresh.Count > 0)
                yield return fresh;
            if (items.Count < PageSize)
                yield break;

            // Keyset: start the next read at the newest updatedAt of this page. When a whole page shares one second,
            // page on within that second instead (the seen set drops repeats).
            var newest = items.Max(c => c.UpdatedAt);
            if (from is { } current && newest <= current)
            {
                page++;
            }
            else
            {
                from = newest;
                page = 1;
            }
        }

        throw new CentraApiException(ErrorCodes.ShopQueryFailed, $"Centra's customer delta did not end within {MaxPages} pages.", FailureKind.Malformed);
    }

    public async Task<IReadOnlyList<ShopCustomer>> FindCustomersByEmailAsync(Integration integration, string email, CancellationToken cancellationToken)
    {
        var data = await graphQl.QueryAsync<CustomersData>(integration, "CustomersByEmail", ByEmailQuery,
            new Dictionary<string, object> { ["email"] = email }, cancellationToken);
        // Exact match on our side: whether Centra's filter is exact is not documented.
        return [.. (data.Customers ?? []).Select(ToShop).Where(c => string.Equals(c.Data.Email, email, StringComparison.OrdinalIgnoreCase))];
    }

    public async Task<ShopCustomer?> GetCustomerAsync(Integration integration, string id, CancellationToken cancellationToken)
    {
        var data = await graphQl.QueryAsync<CustomersData>(integration, "CustomerById", ByIdQuery,
            new Dictionary<string, object> { ["ids"] = new[] { ParseId(id) } }, cancellationToken);
        return (data.Customers ?? []).Select(ToShop).FirstOrDefault(c => c.Id == id);
    }

    public async Task<string> CreateCustomerAsync(Integration integration, ShopCustomerData data, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        var result = await graphQl.MutateAsync<CreateData>(integration, "CreateCustomer", CreateMutation,
            new Dictionary<string, object> { ["input"] = Input(data) }, cancellationToken);
        Check(result.CreateCustomer, $"createCustomer for {data.Email}");
        return result.CreateCustomer?.Customer?.Id?.ToString(CultureInfo.InvariantCulture)
               ?? throw new CentraApiException(ErrorCodes.ShopQueryFailed, "Centra answered createCustomer without the customer id.", FailureKind.Malformed);
    }

    public async Task UpdateCustomerAsync(Integration integration, string id, ShopCustomerData data, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        // Sets absolute values: a repeat after a lost response changes nothing, so it may be resent like a read.
        var result = await graphQl.QueryAsync<UpdateData>(integration, "UpdateCustomer", UpdateMutation,
            new Dictionary<string, object> { ["customer"] = new Dictionary<string, object> { ["id"] = ParseId(id) }, ["input"] = Input(data) }, cancellationToken);
        Check(result.UpdateCustomer, $"updateCustomer {id}");
    }

    private static int ParseId(string id) =>
        int.TryParse(id, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new JunipeerException(ErrorCodes.ShopQueryFailed, $"Centra customer id '{id}' is not a number.");

    private static Dictionary<string, object?> Input(ShopCustomerData d)
    {
        var address = new Dictionary<string, object?>
        {
            ["firstName"] = d.FirstName ?? "",
            ["lastName"] = d.LastName ?? "",
            ["companyName"] = d.CompanyName ?? "",
            ["address1"] = d.Address.Line1 ?? "",
            ["address2"] = d.Address.Line2 ?? "",
            ["city"] = d.Address.City ?? "",
            ["zipCode"] = d.Address.PostalCode ?? "",
            ["vatNumber"] = d.VatNumber ?? "",
        };
        if (!string.IsNullOrWhiteSpace(d.Address.CountryCode))
            address["country"] = new Dictionary<string, object> { ["code"] = d.Address.CountryCode.ToUpperInvariant() };
        return new Dictionary<string, object?>
        {
            ["email"] = d.Email,
            ["firstName"] = d.FirstName ?? "",
            ["lastName"] = d.LastName ?? "",
            ["billingAddress"] = address,
        };
    }

    private static void Check(PayloadDto? payload, string what)
    {
        if (payload?.UserErrors is { Count: > 0 } errors)
            throw new CentraApiException(ErrorCodes.ShopMutationRejected,
                $"Centra refused {what}: {string.Join("; ", errors.Select(e => e.Message))}", FailureKind.Rejected);
    }

    private static ShopCustomer ToShop(CustomerDto c) => new(
        c.Id?.ToString(CultureInfo.InvariantCulture) ?? "",
        new ShopCustomerData
        {
            Email = c.Email,
            FirstName = c.FirstName,
            LastName = c.LastName,
            CompanyName = c.BillingAddress?.CompanyName,
            Address = new CustomerAddress
            {
                Line1 = c.BillingAddress?.Address1,
                Line2 = c.BillingAddress?.Address2,
                PostalCode = c.BillingAddress?.ZipCode,
                City = c.BillingAddress?.City,
                CountryCode = c.BillingAddress?.Country?.Code,
            },
            VatNumber = c.BillingAddress?.VatNumber,
        },
        DateTimeOffset.TryParse(c.UpdatedAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : DateTimeOffset.MinValue);

    internal sealed record CustomersData
    {
        [JsonPropertyName("customers")] public IReadOnlyList<CustomerDto>? Customers { get; init; }
    }

    internal sealed record CustomerDto
    {
        [JsonPropertyName("id")] public int? Id { get; init; }
        [JsonPropertyName("email")] public string? Email { get; init; }
        [JsonPropertyName("firstName")] public string? FirstName { get; init; }
        [JsonPropertyName("lastName")] public string? LastName { get; init; }
        [JsonPropertyName("updatedAt")] public string? UpdatedAt { get; init; }
        [JsonPropertyName("billingAddress")] public AddressDto? BillingAddress { get; init; }
    }

    internal sealed record AddressDto
    {
        [JsonPropertyName("companyName")] public string? CompanyName { get; init; }
        [JsonPropertyName("address1")] public string? Address1 { get; init; }
        [JsonPropertyName("address2")] public string? Address2 { get; init; }
        [JsonPropertyName("city")] public string? City { get; init; }
        [JsonPropertyName("zipCode")] public string? ZipCode { get; init; }
        [JsonPropertyName("country")] public CountryDto? Country { get; init; }
        [JsonPropertyName("vatNumber")] public string? VatNumber { get; init; }
    }

    internal sealed record CountryDto
    {
        [JsonPropertyName("code")] public string? Code { get; init; }
    }

    internal sealed record CreateData
    {
        [JsonPropertyName("createCustomer")] public PayloadDto? CreateCustomer { get; init; }
    }

    internal sealed record UpdateData
    {
        [JsonPropertyName("updateCustomer")] public PayloadDto? UpdateCustomer { get; init; }
    }

    internal sealed record PayloadDto
    {
        [JsonPropertyName("customer")] public IdDto? Customer { get; init; }
        [JsonPropertyName("userErrors")] public IReadOnlyList<UserErrorDto>? UserErrors { get; init; }
    }

    internal sealed record IdDto
    {
        [JsonPropertyName("id")] public int? Id { get; init; }
    }

    internal sealed record UserErrorDto
    {
        [JsonPropertyName("message")] public string? Message { get; init; }
    }
}
