using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Junipeer.Core.Erp;

namespace Junipeer.Core.Customers;

/// <summary>
/// Per-field fingerprints of a customer's synced content on one side: field → the first 12 hex digits of SHA-256
/// of the normalised value (no personal data is stored). Two uses: a delta whose fingerprint equals the stored one
/// carries nothing new (an echo of the engine's own write, or an overlap re-read) and is skipped; and the fields whose
/// fingerprint differs are exactly what that side changed since both agreed, so only those are sent (a change made on
/// the other side meanwhile is left alone).
/// </summary>
public sealed class CustomerFingerprint : IEquatable<CustomerFingerprint>
{
    public const string Name = "name";
    public const string Email = "email";
    public const string FirstName = "firstName";
    public const string LastName = "lastName";
    public const string Company = "company";
    public const string Line1 = "line1";
    public const string Line2 = "line2";
    public const string PostalCode = "postalCode";
    public const string City = "city";
    public const string Country = "country";
    public const string Vat = "vat";

    private readonly SortedDictionary<string, string> _fields;

    private CustomerFingerprint(SortedDictionary<string, string> fields) => _fields = fields;

    public IReadOnlyDictionary<string, string> Fields => _fields;

    /// <summary>The ERP side: name, e-mail, address, VAT number.</summary>
    public static CustomerFingerprint OfErp(string? name, string? email, CustomerAddress address, string? vat) => Of(new()
    {
        [Name] = name,
        [Email] = NormalizeEmail(email),
        [Line1] = address.Line1,
        [Line2] = address.Line2,
        [PostalCode] = address.PostalCode,
        [City] = address.City,
        [Country] = address.CountryCode?.ToUpperInvariant(),
        [Vat] = NormalizeVat(vat),
    });

    public static CustomerFingerprint OfErp(ErpCustomerRecord r) => OfErp(r.Name, r.Email, r.Address, r.VatRegistrationId);

    /// <summary>The shop side: first, last and company name, e-mail, address, VAT number.</summary>
    public static CustomerFingerprint OfShop(ShopCustomerData d) => Of(new()
    {
        [FirstName] = d.FirstName,
        [LastName] = d.LastName,
        [Company] = d.CompanyName,
        [Email] = NormalizeEmail(d.Email),
        [Line1] = d.Address.Line1,
        [Line2] = d.Address.Line2,
        [PostalCode] = d.Address.PostalCode,
        [City] = d.Address.City,
        [Country] = d.Address.CountryCode?.ToUpperInvariant(),
        [Vat] = NormalizeVat(d.VatNumber),
    });

    /// <summary>Fields whose fingerprint differs from <paramref name="baseline"/> (every field when there is none).</summary>
    public IReadOnlySet<string> ChangedSince(CustomerFingerprint? baseline) =>
        _fields.Where(f => baseline is null || !baseline._fields.TryGetValue(f.Key, out var b) || b != f.Value).Select(f => f.Key).ToHashSet(StringComparer.Ordinal);

    /// <summary>This fingerprint with <paramref name="fields"/> taken from <paramref name="other"/>.</summary>
    public CustomerFingerprint With(CustomerFingerprint other, IEnumerable<string> fields)
    {
        var copy = new SortedDictionary<string, string>(_fields, StringComparer.Ordinal);
        foreach (var f in fields)
        {
            if (other._fields.TryGetValue(f, out var v))
                copy[f] = v;
        }

        return new CustomerFingerprint(copy);
    }

    public string Serialize() => JsonSerializer.Serialize(_fields);

    public static CustomerFingerprint? Parse(string? stored)
    {
        if (string.IsNullOrWhiteSpace(stored))
            return null;
        try
        {
            var fields = JsonSerializer.Deserialize<Dictionary<string, string>>(stored);
            return fields is null ? null : new CustomerFingerprint(new SortedDictionary<string, string>(fields, StringComparer.Ordinal));
        }
        catch (JsonException)
        {
            return null; // unreadable: treated as no baseline (everything counts as changed)
        }
    }

    public bool Equals(CustomerFingerprint? other) => other is not null && _fields.Count == other._fields.Count && !ChangedSince(other).Any();

    public override bool Equals(object? obj) => Equals(obj as CustomerFingerprint);

    public override int GetHashCode() => Serialize().GetHashCode(StringComparison.Ordinal);

    public static string? NormalizeEmail(string? email) => Clean(email)?.ToLowerInvariant();

    public static string? NormalizeVat(string? vat) => Clean(vat)?.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();

    public static string? Clean(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private static CustomerFingerprint Of(Dictionary<string, string?> values) =>
        new(new SortedDictionary<string, string>(values.ToDictionary(v => v.Key, v => Hash(Clean(v.Value))), StringComparer.Ordinal));

    private static string Hash(string? value) =>
        value is null ? "-" : Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..12].ToLowerInvariant();
}
