namespace Junipeer.Sandbox.Visma;

/// <summary>A Visma.net customer as a user enters or edits it (null = unchanged / not set).</summary>
public sealed record VismaCustomerEdit
{
    public string? Name { get; init; }
    public string? Email { get; init; }
    public string? AddressLine1 { get; init; }
    public string? PostalCode { get; init; }
    public string? City { get; init; }
    public string? CountryId { get; init; }
    public string? VatRegistrationId { get; init; }
    public string? CustomerClassId { get; init; }
}

/// <summary>Control plane of the customer sync: users' edits, hand-entered numbers, the number series, echo counts.</summary>
public sealed partial class VismaState
{
    /// <summary>API updates (PUT) of a customer that changed none of its fields: a change sent back where it came from.</summary>
    public int CustomerEchoes { get; private set; }

    /// <summary>API updates (PUT) that changed something.</summary>
    public int CustomersUpdatedByApi { get; private set; }

    /// <summary>Test hook: runs inside PUT /v1/customer/{n} before If-Match is checked (e.g. a user saves the customer meanwhile).</summary>
    public Action<string, string>? OnCustomerUpdate { get; set; }

    /// <summary>A user creates a customer in Visma.net: with <paramref name="number"/> typed by hand, else from the series.</summary>
    public string AddCustomer(string tenantId, VismaCustomerEdit data, string? number = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        lock (_gate)
        {
            var c = _companies[tenantId];
            if (number is null)
            {
                number = c.CustomerSeries.Peek() ?? throw new InvalidOperationException("The customer series is exhausted.");
                c.CustomerSeries.Consume(number);
            }

            var cls = c.Classes[data.CustomerClassId ?? c.Spec.CustomerClasses[0].Id];
            var now = Now;
            var customer = new Customer
            {
                Number = number,
                InternalId = c.NextInternalId++,
                Name = data.Name ?? number,
                Status = "Active",
                ClassId = cls.Id,
                CurrencyId = c.Spec.BaseCurrency,
                VatZoneId = cls.TaxZoneId,
                VatRegistrationId = data.VatRegistrationId,
                MainAddress = new Address(data.AddressLine1, null, null, data.PostalCode, data.City, data.CountryId),
                MainContact = new Contact(data.Name, data.Email, null),
                Created = now,
                LastModified = now,
                Version = c.NextVersion(),
            };
            c.Customers.Add(number, customer);
            return number;
        }
    }

    /// <summary>A user edits a customer in Visma.net (lastModifiedDateTime and the ETag move).</summary>
    public void EditCustomer(string tenantId, string number, VismaCustomerEdit edit)
    {
        ArgumentNullException.ThrowIfNull(edit);
        lock (_gate)
        {
            var c = _companies[tenantId];
            var x = c.Customers[number];
            x.Name = edit.Name ?? x.Name;
            var a = x.MainAddress ?? new Address(null, null, null, null, null, null);
            x.MainAddress = a with
            {
                Line1 = edit.AddressLine1 ?? a.Line1,
                PostalCode = edit.PostalCode ?? a.PostalCode,
                City = edit.City ?? a.City,
                CountryId = edit.CountryId ?? a.CountryId,
            };
            if (edit.Email is not null)
            {
                x.MainContact = (x.MainContact ?? new Contact(x.Name, null, null)) with { Email = edit.Email };
            }

            x.VatRegistrationId = edit.VatRegistrationId ?? x.VatRegistrationId;
            x.ClassId = edit.CustomerClassId ?? x.ClassId;
            x.LastModified = Now;
            x.Version = c.NextVersion();
        }
    }

    /// <summary>Sets the customer series' last used number (null: none used) and, optionally, its end number.</summary>
    public void SetCustomerSeries(string tenantId, string? last, string? end = null)
    {
        lock (_gate)
        {
            _companies[tenantId].CustomerSeries.Reset(last, end);
        }
    }

    private static string Fingerprint(Customer x) => string.Join('\u001f',
        x.Name, x.Status, x.ClassId, x.CurrencyId, x.VatZoneId, x.VatRegistrationId, x.CorporateId,
        x.MainAddress?.ToString(), x.InvoiceAddress?.ToString(), x.MainContact?.ToString(),
        string.Join(';', x.Attributes.OrderBy(a => a.Key, StringComparer.OrdinalIgnoreCase).Select(a => a.Key + "=" + a.Value)));

    private void ResetCustomerSync()
    {
        CustomerEchoes = 0;
        CustomersUpdatedByApi = 0;
        OnCustomerUpdate = null;
    }
}
