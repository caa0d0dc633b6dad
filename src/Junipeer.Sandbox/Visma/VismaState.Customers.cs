using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Junipeer.Sandbox.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Junipeer.Sandbox.Visma;

/// <summary>Customers: list (filters), read, create, update (ETag / If-Match).</summary>
public sealed partial class VismaState
{
    // ---------------------------------------------------------------- customers

    internal ApiResult ListCustomers(string tenantId, IQueryCollection query) => WithCompany(tenantId, c =>
    {
        IEnumerable<Customer> items = c.Customers.Values;
        items = WhereEquals(items, query, "name", x => x.Name, StringComparison.OrdinalIgnoreCase);
        items = WhereEquals(items, query, "status", x => x.Status, StringComparison.OrdinalIgnoreCase);
        // VERIFY (contract): exact, case-insensitive e-mail match.
        items = WhereEquals(items, query, "email", x => x.MainContact?.Email, StringComparison.OrdinalIgnoreCase);
        items = WhereEquals(items, query, "vatRegistrationId", x => x.VatRegistrationId, StringComparison.OrdinalIgnoreCase);
        items = WhereEquals(items, query, "corporateId", x => x.CorporateId, StringComparison.OrdinalIgnoreCase);

        if (Q(query, "attributes") is { } attrs)
        {
            JsonObject? filter;
            try
            {
                filter = JsonNode.Parse(attrs) as JsonObject;
            }
            catch (JsonException)
            {
                filter = null;
            }

            if (filter is null)
            {
                return Bad("The attributes filter must be a JSON object, e.g. {\"ID\":\"value\"}.");
            }

            var pairs = filter.Select(kv => (kv.Key, Value: Wire.AsString(kv.Value))).ToList();
            items = items.Where(x => pairs.All(p => x.Attributes.TryGetValue(p.Key, out var v) && string.Equals(v, p.Value, StringComparison.Ordinal)));
        }

        if (FilterModified(query, ref items, x => x.LastModified) is { } modifiedError)
        {
            return Bad(modifiedError);
        }

        return Page(items.Select(x => CustomerJson(c, x)), query);
    });

    internal ApiResult GetCustomer(string tenantId, string number) => WithCompany(tenantId, c =>
        c.Customers.TryGetValue(number, out var x)
            ? new ApiResult(200, CustomerJson(c, x), ETag: ETagOf(x.Version))
            : NotFound($"Customer '{number}' was not found."));

    internal ApiResult CreateCustomer(string tenantId, JsonObject? body) => WithCompany(tenantId, c =>
    {
        if (body is null)
        {
            return Bad("The request body must be a JSON object.");
        }

        var name = Wire.Str(body, "name");
        if (string.IsNullOrWhiteSpace(name))
        {
            return Bad("'Customer Name' cannot be empty.");
        }

        var classId = Wire.Str(body, "customerClassId") ?? c.Spec.CustomerClasses.FirstOrDefault()?.Id;
        if (classId is null || !c.Classes.TryGetValue(classId, out var cls))
        {
            return Bad($"Customer class '{classId}' cannot be found in the system.");
        }

        var zoneId = Wire.Str(body, "vatZoneId");
        if (zoneId is not null && !c.Zones.ContainsKey(zoneId))
        {
            return Bad($"VAT zone '{zoneId}' cannot be found in the system.");
        }

        // overrideWithClassValues (bare bool) or no explicit zone: the class default applies.
        zoneId ??= cls.TaxZoneId;
        if (cls.RequiredTaxzoneId && zoneId is null)
        {
            return Bad($"Customer class '{cls.Id}' requires a VAT zone.");
        }

        var number = Wire.Str(body, "number");
        if (number is not null)
        {
            if (c.Customers.ContainsKey(number))
            {
                return Bad($"A customer with the number '{number}' already exists.");
            }
        }
        else
        {
            number = c.CustomerSeries.Peek();
            if (number is null)
            {
                return Bad($"Cannot generate the next number for the {c.CustomerSeries.Name} sequence.");
            }

            // The series gives a number a customer entered by hand already has. Visma's wording for this case is not
            // documented; the emulator answers as for an explicit duplicate number and does not move the series (VERIFY).
            if (c.Customers.ContainsKey(number))
            {
                return Bad($"A customer with the number '{number}' already exists.");
            }

            c.CustomerSeries.Consume(number);
        }

        var now = Now;
        var customer = new Customer
        {
            Number = number,
            InternalId = c.NextInternalId++,
            Name = name,
            Status = Wire.Str(body, "status") ?? "Active",
            ClassId = cls.Id,
            CurrencyId = Wire.Str(body, "currencyId") ?? c.Spec.BaseCurrency,
            VatZoneId = zoneId,
            VatRegistrationId = Wire.Str(body, "vatRegistrationId"),
            CorporateId = Wire.Str(body, "corporateId"),
            MainAddress = ReadAddress(Wire.Obj(body, "mainAddress")),
            InvoiceAddress = ReadAddress(Wire.Obj(body, "invoiceAddress")),
            MainContact = ReadContact(Wire.Obj(body, "mainContact")),
            Created = now,
            LastModified = now,
            Version = c.NextVersion(),
        };
        foreach (var line in (Wire.Arr(body, "attributeLines") ?? []).OfType<JsonObject>())
        {
            var id = Wire.Str(line, "attributeId");
            if (id is not null)
            {
                customer.Attributes[id] = Wire.Str(line, "attributeValue") ?? "";
            }
        }

        c.Customers[number] = customer;
        return new ApiResult(201, null, "/v1/customer/" + Uri.EscapeDataString(number), ETagOf(customer.Version));
    });

    /// <summary>
    /// PUT /v1/customer/{customerCd}: applies the value-wrapped fields present in the body. With
    /// If-Match, a version other than the current ETag answers 412 (published parameter text). The
    /// operation's description says If-Match "can be checked ... when calling with
    /// erp-api-background"; whether it is also checked on a plain call is ambiguous. The emulator
    /// checks it whenever it is sent. Success: 204 with the new ETag.
    /// </summary>
    internal ApiResult UpdateCustomer(string tenantId, string number, JsonObject? body, string? ifMatch) => WithCompany(tenantId, c =>
    {
        if (!c.Customers.TryGetValue(number, out var x))
        {
            return NotFound($"Customer '{number}' was not found.");
        }

        OnCustomerUpdate?.Invoke(tenantId, number);
        if (!string.IsNullOrWhiteSpace(ifMatch) && !string.Equals(ifMatch.Trim(), ETagOf(x.Version), StringComparison.Ordinal))
        {
            return new ApiResult(412, Message("Customer version does not match with If-Match header."));
        }

        if (body is null)
        {
            return Bad("The request body must be a JSON object.");
        }

        if (Wire.Str(body, "customerClassId") is { } classId && !c.Classes.ContainsKey(classId))
        {
            return Bad($"Customer class '{classId}' cannot be found in the system.");
        }

        if (Wire.Str(body, "vatZoneId") is { } zoneId && !c.Zones.ContainsKey(zoneId))
        {
            return Bad($"VAT zone '{zoneId}' cannot be found in the system.");
        }

        var before = Fingerprint(x);
        if (Wire.Has(body, "name"))
        {
            var name = Wire.Str(body, "name");
            if (string.IsNullOrWhiteSpace(name))
            {
                return Bad("'Customer Name' cannot be empty.");
            }

            x.Name = name;
        }

        x.Status = Wire.Str(body, "status") ?? x.Status;
        x.ClassId = Wire.Str(body, "customerClassId") is { } cls ? c.Classes[cls].Id : x.ClassId;
        x.CurrencyId = Wire.Str(body, "currencyId") ?? x.CurrencyId;
        x.VatZoneId = Wire.Str(body, "vatZoneId") is { } z ? c.Zones[z].Id : x.VatZoneId;
        x.VatRegistrationId = Wire.Has(body, "vatRegistrationId") ? Wire.Str(body, "vatRegistrationId") : x.VatRegistrationId;
        x.CorporateId = Wire.Has(body, "corporateId") ? Wire.Str(body, "corporateId") : x.CorporateId;
        x.MainAddress = Wire.Has(body, "mainAddress") ? ReadAddress(Wire.Obj(body, "mainAddress")) : x.MainAddress;
        x.InvoiceAddress = Wire.Has(body, "invoiceAddress") ? ReadAddress(Wire.Obj(body, "invoiceAddress")) : x.InvoiceAddress;
        x.MainContact = Wire.Has(body, "mainContact") ? ReadContact(Wire.Obj(body, "mainContact")) : x.MainContact;
        foreach (var line in (Wire.Arr(body, "attributeLines") ?? []).OfType<JsonObject>())
        {
            if (Wire.Str(line, "attributeId") is { } id)
            {
                x.Attributes[id] = Wire.Str(line, "attributeValue") ?? "";
            }
        }

        if (Fingerprint(x) == before)
        {
            CustomerEchoes++;
        }
        else
        {
            CustomersUpdatedByApi++;
        }

        x.LastModified = Now;
        x.Version = c.NextVersion();
        return new ApiResult(204, null, ETag: ETagOf(x.Version));
    });

    private static Address? ReadAddress(JsonObject? o) => o is null ? null : new Address(
        Wire.Str(o, "addressLine1"), Wire.Str(o, "addressLine2"), Wire.Str(o, "addressLine3"),
        Wire.Str(o, "postalCode"), Wire.Str(o, "city"), Wire.Str(o, "countryId"));

    private static Contact? ReadContact(JsonObject? o) => o is null ? null : new Contact(
        Wire.Str(o, "name"), Wire.Str(o, "email"), Wire.Str(o, "phone1"));

    private static JsonObject CustomerJson(Company c, Customer x)
    {
        var cls = c.Classes[x.ClassId];
        var zone = x.VatZoneId is not null && c.Zones.TryGetValue(x.VatZoneId, out var z) ? z : null;
        return new JsonObject
        {
            ["internalId"] = x.InternalId,
            ["number"] = x.Number,
            ["name"] = x.Name,
            ["status"] = x.Status,
            ["mainAddress"] = AddressJson(x.MainAddress, x.InternalId * 10 + 1),
            ["mainContact"] = x.MainContact is null ? null : new JsonObject
            {
                ["contactId"] = x.InternalId * 10 + 2,
                ["name"] = x.MainContact.Name,
                ["email"] = x.MainContact.Email,
                ["phone1"] = x.MainContact.Phone1,
            },
            ["invoiceAddress"] = AddressJson(x.InvoiceAddress ?? x.MainAddress, x.InternalId * 10 + 3),
            ["customerClass"] = new JsonObject { ["id"] = cls.Id, ["description"] = cls.Description },
            ["currencyId"] = x.CurrencyId,
            ["vatRegistrationId"] = x.VatRegistrationId,
            ["corporateId"] = x.CorporateId,
            ["vatZone"] = zone is null ? null : ZoneJson(c, zone),
            ["attributes"] = new JsonArray([.. x.Attributes.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => (JsonNode)new JsonObject
            {
                ["id"] = a.Key,
                ["value"] = a.Value,
                ["description"] = a.Key,
            })]),
            ["lastModifiedDateTime"] = Wire.Iso(x.LastModified),
            ["createdDateTime"] = Wire.Iso(x.Created),
            ["timeStamp"] = TimeStampOf(x.Version),
            ["errorInfo"] = null,
        };
    }

    private static JsonObject? AddressJson(Address? a, int id) => a is null ? null : new JsonObject
    {
        ["addressId"] = id,
        ["addressLine1"] = a.Line1,
        ["addressLine2"] = a.Line2,
        ["addressLine3"] = a.Line3,
        ["postalCode"] = a.PostalCode,
        ["city"] = a.City,
        ["country"] = a.CountryId is null ? null : new JsonObject { ["id"] = a.CountryId, ["name"] = Countries.Name(a.CountryId) },
    };
}
