using System.Globalization;
using System.Text.Json.Nodes;

namespace Junipeer.Sandbox.Centra;

/// <summary>A Centra customer as seeded or edited by a "user" in the tests and the demo.</summary>
public sealed record CentraCustomerData
{
    public string? Email { get; init; }
    public string? FirstName { get; init; }
    public string? LastName { get; init; }
    public string? CompanyName { get; init; }
    public string? Address1 { get; init; }
    public string? Address2 { get; init; }
    public string? ZipCode { get; init; }
    public string? City { get; init; }
    public string? CountryCode { get; init; }
    public string? VatNumber { get; init; }
}

/// <summary>Ground truth of one Centra customer.</summary>
public sealed record CentraCustomerSnapshot(int Id, CentraCustomerData Data, DateTimeOffset UpdatedAt, int Writes);

/// <summary>
/// Customers: <c>Query.customers</c> (filter by id, email, updatedAt range; sort), <c>Mutation.createCustomer</c>,
/// <c>Mutation.updateCustomer</c>. An update through the API that changes nothing is counted as an echo
/// (<see cref="CustomerEchoes"/>): a sync that sends a change back to the side it came from writes exactly that.
/// </summary>
public sealed partial class CentraState
{
    private readonly SortedDictionary<int, StoredCustomer> _customers = [];
    private int _nextCustomerId = 7001;

    /// <summary>API updates of a customer that changed none of its fields (a change sent back where it came from).</summary>
    public int CustomerEchoes { get; private set; }

    /// <summary>Customers created through the API.</summary>
    public int CustomersCreatedByApi { get; private set; }

    /// <summary>API updates that changed something.</summary>
    public int CustomersUpdatedByApi { get; private set; }

    private sealed class StoredCustomer(int id, CentraCustomerData data, DateTimeOffset at)
    {
        public int Id { get; } = id;
        public CentraCustomerData Data { get; set; } = data;
        public DateTimeOffset UpdatedAt { get; set; } = at;
        public DateTimeOffset CreatedAt { get; } = at;
        public int Writes { get; set; }
    }

    /// <summary>Seeds a customer (as if created in Centra's admin); returns its id.</summary>
    public int AddCustomer(CentraCustomerData spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        lock (_gate)
        {
            var c = new StoredCustomer(NextCustomerId(), spec, Truncate(Now));
            _customers[c.Id] = c;
            return c.Id;
        }
    }

    /// <summary>
    /// A DTC order's buyer is a Centra customer: <c>DirectToConsumerOrder.customer</c> is a <c>Customer</c>
    /// (centra.dev/graphql/directtoconsumerorder.html), so the order's customer is registered here unless a customer with
    /// that e-mail exists (then the order keeps its own customer id, as seeded). Name and address come from the billing
    /// address. Whether Centra creates a customer for a guest checkout, and which address it keeps, is not documented in
    /// our sources; this is the emulator's assumption, kept so <c>Query.customers</c> and <c>Order.customer</c> agree.
    /// Call with <see cref="_gate"/> held.
    /// </summary>
    private void RegisterOrderCustomer(CentraOrderSpec spec, DateTimeOffset at)
    {
        if (spec.StoreType != "DTC" || spec.Customer is not { Email: { Length: > 0 } email } buyer
            || _customers.Values.Any(c => string.Equals(c.Data.Email, email, StringComparison.OrdinalIgnoreCase)))
        {
            return;
        }

        var id = _customers.ContainsKey(buyer.Id) ? NextCustomerId() : buyer.Id;
        buyer.Id = id;
        var a = spec.BillingAddress;
        _customers[id] = new StoredCustomer(id, new CentraCustomerData
        {
            Email = email,
            FirstName = buyer.FirstName ?? a?.FirstName,
            LastName = buyer.LastName ?? a?.LastName,
            CompanyName = a?.CompanyName,
            Address1 = a?.Address1,
            Address2 = a?.Address2,
            ZipCode = a?.ZipCode,
            City = a?.City,
            CountryCode = a?.Country,
        }, at);
    }

    private int NextCustomerId()
    {
        while (_customers.ContainsKey(_nextCustomerId))
        {
            _nextCustomerId++;
        }

        return _nextCustomerId++;
    }

    /// <summary>A user edits a customer in Centra's admin (updatedAt moves).</summary>
    public void EditCustomer(int id, Func<CentraCustomerData, CentraCustomerData> edit)
    {
        ArgumentNullException.ThrowIfNull(edit);
        lock (_gate)
        {
            var c = _customers[id];
            c.Data = edit(c.Data);
            c.UpdatedAt = Truncate(Now);
        }
    }

    /// <summary>Ground truth: every customer.</summary>
    public IReadOnlyList<CentraCustomerSnapshot> Customers()
    {
        lock (_gate)
        {
            return [.. _customers.Values.Select(c => new CentraCustomerSnapshot(c.Id, c.Data, c.UpdatedAt, c.Writes))];
        }
    }

    internal List<JsonObject> CustomerJsonSnapshot()
    {
        lock (_gate)
        {
            return [.. _customers.Values.Select(CustomerJson)];
        }
    }

    /// <summary>createCustomer: e-mail required and unique (VERIFY: Centra's own rules are not in our copy).</summary>
    internal (JsonObject? Payload, string? Error) CreateCustomer(IDictionary<string, object?> input)
    {
        lock (_gate)
        {
            var data = ReadCustomerInput(input, new CentraCustomerData());
            if (string.IsNullOrWhiteSpace(data.Email))
            {
                return (CustomerPayload("CustomerCreatePayload", null, "email", "Email is required."), null);
            }

            if (_customers.Values.Any(c => string.Equals(c.Data.Email, data.Email, StringComparison.OrdinalIgnoreCase)))
            {
                return (CustomerPayload("CustomerCreatePayload", null, "email", $"A customer with email {data.Email} already exists."), null);
            }

            var c = new StoredCustomer(NextCustomerId(), data, Truncate(Now)) { Writes = 1 };
            _customers[c.Id] = c;
            CustomersCreatedByApi++;
            return (CustomerPayload("CustomerCreatePayload", c, null, null), null);
        }
    }

    /// <summary>updateCustomer(customer: {id | email}, input): applies the fields present; an unchanged result is an echo.</summary>
    internal (JsonObject? Payload, string? Error) UpdateCustomer(IDictionary<string, object?> key, IDictionary<string, object?> input)
    {
        lock (_gate)
        {
            var given = key.Where(kv => kv.Value is not null).ToList();
            if (given.Count != 1)
            {
                return (null, "customer: exactly one input field should be provided.");
            }

            var value = Convert.ToString(given[0].Value, CultureInfo.InvariantCulture);
            var c = given[0].Key switch
            {
                "id" => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) && _customers.TryGetValue(id, out var byId) ? byId : null,
                "email" => _customers.Values.FirstOrDefault(x => string.Equals(x.Data.Email, value, StringComparison.OrdinalIgnoreCase)),
                _ => null,
            };
            if (c is null)
            {
                return (CustomerPayload("CustomerUpdatePayload", null, "customer", $"Customer with {given[0].Key} '{value}' not found."), null);
            }

            var data = ReadCustomerInput(input, c.Data);
            if (string.IsNullOrWhiteSpace(data.Email))
            {
                return (CustomerPayload("CustomerUpdatePayload", null, "email", "Email is required."), null);
            }

            if (_customers.Values.Any(x => x.Id != c.Id && string.Equals(x.Data.Email, data.Email, StringComparison.OrdinalIgnoreCase)))
            {
                return (CustomerPayload("CustomerUpdatePayload", null, "email", $"A customer with email {data.Email} already exists."), null);
            }

            c.Writes++;
            if (data == c.Data)
            {
                CustomerEchoes++;
            }
            else
            {
                c.Data = data;
                c.UpdatedAt = Truncate(Now);
                CustomersUpdatedByApi++;
            }

            return (CustomerPayload("CustomerUpdatePayload", c, null, null), null);
        }
    }

    private static CentraCustomerData ReadCustomerInput(IDictionary<string, object?> input, CentraCustomerData current)
    {
        static string? S(IDictionary<string, object?> d, string k) => d.TryGetValue(k, out var v) ? Convert.ToString(v, CultureInfo.InvariantCulture) : null;
        var data = current with
        {
            Email = input.ContainsKey("email") ? S(input, "email") : current.Email,
            FirstName = input.ContainsKey("firstName") ? S(input, "firstName") : current.FirstName,
            LastName = input.ContainsKey("lastName") ? S(input, "lastName") : current.LastName,
        };
        if (input.TryGetValue("billingAddress", out var b) && b is IDictionary<string, object?> a)
        {
            var country = a.TryGetValue("country", out var cn) && cn is IDictionary<string, object?> co ? S(co, "code") : data.CountryCode;
            data = data with
            {
                CompanyName = a.ContainsKey("companyName") ? S(a, "companyName") : data.CompanyName,
                Address1 = a.ContainsKey("address1") ? S(a, "address1") : data.Address1,
                Address2 = a.ContainsKey("address2") ? S(a, "address2") : data.Address2,
                ZipCode = a.ContainsKey("zipCode") ? S(a, "zipCode") : data.ZipCode,
                City = a.ContainsKey("city") ? S(a, "city") : data.City,
                CountryCode = a.ContainsKey("country") ? country : data.CountryCode,
                VatNumber = a.ContainsKey("vatNumber") ? S(a, "vatNumber") : data.VatNumber,
            };
        }

        return data;
    }

    private static JsonObject CustomerPayload(string type, StoredCustomer? c, string? errorField, string? error) => new()
    {
        ["__typename"] = type,
        ["customer"] = c is null ? null : CustomerJson(c),
        ["userErrors"] = error is null
            ? new JsonArray()
            : new JsonArray(new JsonObject { ["__typename"] = "UserError", ["message"] = error, ["path"] = new JsonArray("input", errorField) }),
        ["userWarnings"] = new JsonArray(),
    };

    private static JsonObject CustomerJson(StoredCustomer c) => new()
    {
        ["__typename"] = "Customer",
        ["id"] = c.Id,
        ["email"] = c.Data.Email,
        ["firstName"] = c.Data.FirstName,
        ["lastName"] = c.Data.LastName,
        ["createdAt"] = DateTimeTz(c.CreatedAt),
        ["updatedAt"] = DateTimeTz(c.UpdatedAt),
        ["billingAddress"] = new JsonObject
        {
            ["__typename"] = "Address",
            ["firstName"] = c.Data.FirstName,
            ["lastName"] = c.Data.LastName,
            ["companyName"] = c.Data.CompanyName,
            ["address1"] = c.Data.Address1,
            ["address2"] = c.Data.Address2,
            ["city"] = c.Data.City,
            ["zipCode"] = c.Data.ZipCode,
            ["country"] = c.Data.CountryCode is null ? null : new JsonObject { ["__typename"] = "Country", ["code"] = c.Data.CountryCode, ["name"] = c.Data.CountryCode },
            ["email"] = c.Data.Email,
            ["phoneNumber"] = null,
            ["vatNumber"] = c.Data.VatNumber,
        },
    };

    private void ResetCustomers()
    {
        _customers.Clear();
        _nextCustomerId = 7001;
        CustomerEchoes = 0;
        CustomersCreatedByApi = 0;
        CustomersUpdatedByApi = 0;
    }
}
