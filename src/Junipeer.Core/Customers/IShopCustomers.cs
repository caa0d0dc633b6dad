using Junipeer.Core.Erp;
using Junipeer.Core.Integrations;

namespace Junipeer.Core.Customers;

/// <summary>Port: the shop's customers (Centra) for the customer sync.</summary>
public interface IShopCustomers
{
    /// <summary>Customers updated at or after <paramref name="since"/> (every customer when null), oldest first, page by page.</summary>
    IAsyncEnumerable<IReadOnlyList<ShopCustomer>> ListCustomersChangedSinceAsync(Integration integration, DateTimeOffset? since, CancellationToken cancellationToken);

    /// <summary>Customers with this e-mail (normally zero or one): the deterministic key of a create.</summary>
    Task<IReadOnlyList<ShopCustomer>> FindCustomersByEmailAsync(Integration integration, string email, CancellationToken cancellationToken);

    /// <summary>One customer by id, or null.</summary>
    Task<ShopCustomer?> GetCustomerAsync(Integration integration, string id, CancellationToken cancellationToken);

    /// <summary>Creates a customer; returns its id. Not retried after it may have reached the shop.</summary>
    Task<string> CreateCustomerAsync(Integration integration, ShopCustomerData data, CancellationToken cancellationToken);

    /// <summary>Sets the customer's fields to <paramref name="data"/>.</summary>
    Task UpdateCustomerAsync(Integration integration, string id, ShopCustomerData data, CancellationToken cancellationToken);
}

/// <summary>The synced content of a shop customer.</summary>
public sealed record ShopCustomerData
{
    public string? Email { get; init; }
    public string? FirstName { get; init; }
    public string? LastName { get; init; }
    public string? CompanyName { get; init; }
    public CustomerAddress Address { get; init; } = new();
    public string? VatNumber { get; init; }
}

/// <summary>A shop customer as read.</summary>
public sealed record ShopCustomer(string Id, ShopCustomerData Data, DateTimeOffset UpdatedAt);
