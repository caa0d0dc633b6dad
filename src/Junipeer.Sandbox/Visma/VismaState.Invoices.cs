using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Junipeer.Sandbox.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Junipeer.Sandbox.Visma;

/// <summary>Customer invoices: create (v2), list (filters), read, release.</summary>
public sealed partial class VismaState
{
    // ---------------------------------------------------------------- customer invoices

    internal ApiResult CreateInvoice(string tenantId, JsonObject? body) => WithCompany(tenantId, c =>
    {
        if (body is null)
        {
            return Bad("The request body must be a JSON object.");
        }

        var customerNumber = Wire.Str(body, "customerNumber");
        if (customerNumber is null || !c.Customers.TryGetValue(customerNumber, out var customer))
        {
            return Bad($"Error creating customer invoice. Customer '{customerNumber}' cannot be found in the system.");
        }

        var today = DateOnly.FromDateTime(Now.UtcDateTime);
        var docDate = today;
        if (Wire.Str(body, "documentDate") is { } ds)
        {
            if (!DateTime.TryParse(ds, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var dt))
            {
                return Bad($"Invalid documentDate '{ds}'.");
            }

            docDate = DateOnly.FromDateTime(dt);
        }

        var zoneId = Wire.Str(body, "customerVatZoneId") ?? customer.VatZoneId;
        if (zoneId is null || !c.Zones.TryGetValue(zoneId, out var zone))
        {
            return Bad($"VAT zone '{zoneId}' cannot be found in the system.");
        }

        if (BuildLines(c, zone, docDate, Wire.Arr(body, "invoiceLines"), Wire.Arr(body, "taxDetailLines"), "invoice", out var built) is { } lineError)
        {
            return lineError;
        }

        var (lines, details, vatTaxableTotal) = built;
        string? reference;
        if (Wire.Bool(body, "overrideNumberSeries") == true && Wire.Str(body, "referenceNumber") is { } manualRef)
        {
            if (c.Invoices.ContainsKey(manualRef))
            {
                return Bad($"A document with the reference number '{manualRef}' already exists.");
            }

            reference = manualRef;
        }
        else
        {
            reference = c.InvoiceSeries.Peek();
            if (reference is null)
            {
                return Bad($"Cannot generate the next number for the {c.InvoiceSeries.Name} sequence.");
            }

            c.InvoiceSeries.Consume(reference);
        }

        var hold = Wire.Bool(body, "hold") ?? false;
        var now = Now;
        var detailTotal = lines.Sum(x => x.Amount);
        var vatTotal = details.Sum(d => d.VatAmount);
        var invoice = new Invoice
        {
            ReferenceNumber = reference,
            CustomerNumber = customer.Number,
            DocumentDate = docDate,
            CurrencyId = Wire.Str(body, "currencyId") ?? customer.CurrencyId ?? c.Spec.BaseCurrency,
            VatZoneId = zone.Id,
            CustomerRefNumber = Wire.Str(body, "customerRefNumber"),
            ExternalReference = Wire.Str(body, "externalReference"),
            InvoiceText = Wire.Str(body, "invoiceText"),
            Note = Wire.Str(body, "note"),
            Hold = hold,
            Status = hold ? "Hold" : "Balanced",
            DetailTotal = detailTotal,
            VatTaxableTotal = vatTaxableTotal,
            VatTotal = vatTotal,
            Amount = detailTotal + vatTotal,
            Balance = 0m,
            Created = now,
            LastModified = now,
            Version = c.NextVersion(),
        };
        invoice.Lines.AddRange(lines);
        invoice.TaxDetails.AddRange(details);
        c.Invoices[reference] = invoice;
        return new ApiResult(201, null, "/v1/customerinvoice/" + Uri.EscapeDataString(reference), ETagOf(invoice.Version));
    });

    /// <summary>
    /// Lines and VAT of a customer document (invoice or credit note): per tax, taxable = sum of line
    /// amounts and VAT = round(taxable x rate) at the document date; a manual VAT adjustment per tax
    /// (<paramref name="overrides"/>) is allowed within +-0.05. Returns the 400 for bad input, else null.
    /// </summary>
    private static ApiResult? BuildLines(
        Company c, VatZoneSpec zone, DateOnly docDate, JsonArray? lineNodes, JsonArray? overrides, string what,
        out (List<InvoiceLine> Lines, List<VismaTaxDetail> Details, decimal VatTaxableTotal) built)
    {
        built = default;
        var lines = new List<InvoiceLine>();
        var lineTaxes = new List<(InvoiceLine Line, List<string> TaxIds)>();
        var lineNo = 0;
        foreach (var node in lineNodes ?? [])
        {
            if (node is not JsonObject l)
            {
                return Bad($"Each {what} line must be an object.");
            }

            var op = Wire.Str(l, "operation");
            if (op is not null && !string.Equals(op, "Insert", StringComparison.OrdinalIgnoreCase))
            {
                return Bad($"Operation '{op}' is not valid on a new document.");
            }

            var item = Wire.Str(l, "inventoryNumber");
            if (item is not null && c.StockItems.Contains(item))
            {
                return Bad($"Only a non-stock item can be selected. '{item}' is a stock item.");
            }

            var vatCode = Wire.Str(l, "vatCodeId") ?? zone.DefaultVatCategory;
            if (vatCode is null || !c.Categories.TryGetValue(vatCode, out var category))
            {
                return Bad($"VAT category '{vatCode}' cannot be found in the system.");
            }

            if (!category.Active)
            {
                return Bad($"VAT category '{vatCode}' is inactive.");
            }

            var qty = Wire.Dec(l, "quantity") ?? 1m;
            var price = Wire.Dec(l, "unitPriceInCurrency") ?? 0m;
            var discount = Wire.Dec(l, "discountAmountInCurrency");
            if (discount is null && Wire.Dec(l, "discountPercent") is { } pct)
            {
                discount = Money.R2(qty * price * pct / 100m);
            }

            var manual = Wire.Dec(l, "manualAmountInCurrency");
            var amount = manual ?? Money.R2((qty * price) - (discount ?? 0m));
            var line = new InvoiceLine(++lineNo, item, Wire.Str(l, "description"), qty, price, discount ?? 0m, manual, Money.R2(amount), category.Id, Wire.Str(l, "uom"));
            lines.Add(line);
            lineTaxes.Add((line, [.. category.TaxIds.Where(t => zone.TaxIds.Contains(t, StringComparer.OrdinalIgnoreCase))]));
        }

        // Per tax: taxable = sum of line amounts; VAT = round(taxable x rate), rate effective at documentDate.
        var details = new List<VismaTaxDetail>();
        foreach (var taxId in lineTaxes.SelectMany(x => x.TaxIds).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal))
        {
            var tax = c.Taxes[taxId];
            var rate = tax.Rates.Where(r => r.EffectiveDate <= docDate).OrderByDescending(r => r.EffectiveDate).FirstOrDefault();
            if (rate is null)
            {
                return Bad($"No rate of VAT '{tax.Id}' is effective on {docDate:yyyy-MM-dd}.");
            }

            var taxable = lineTaxes.Where(x => x.TaxIds.Contains(taxId, StringComparer.OrdinalIgnoreCase)).Sum(x => x.Line.Amount);
            details.Add(new VismaTaxDetail(tax.Id, rate.Rate, taxable, Money.R2(taxable * rate.Rate / 100m)));
        }

        // taxDetailLines: manual VAT adjustment, allowed within +-0.05 per tax (taxableAmount is not checked).
        foreach (var node in overrides ?? [])
        {
            if (node is not JsonObject t)
            {
                continue;
            }

            var taxId = Wire.Str(t, "taxId");
            var idx = details.FindIndex(d => string.Equals(d.TaxId, taxId, StringComparison.OrdinalIgnoreCase));
            if (idx < 0)
            {
                return Bad($"VAT '{taxId}' does not apply to any line of this document.");
            }

            if (Wire.Dec(t, "vatAmount") is { } vat)
            {
                if (Math.Abs(vat - details[idx].VatAmount) > 0.05m)
                {
                    return Bad($"The VAT amount {Wire.Inv(vat)} for VAT '{taxId}' differs from the calculated amount {Wire.Inv(details[idx].VatAmount)} by more than 0.05.");
                }

                details[idx] = details[idx] with { VatAmount = Money.R2(vat) };
            }
        }

        built = (lines, details, lineTaxes.Where(x => x.TaxIds.Count > 0).Sum(x => x.Line.Amount));
        return null;
    }

    internal ApiResult ListInvoices(string tenantId, IQueryCollection query) => WithCompany(tenantId, c =>
    {
        IEnumerable<Invoice> items = c.Invoices.Values;

        // VERIFY (contract): exact match on customerRefNumber / externalReference.
        items = WhereEquals(items, query, "customerRefNumber", x => x.CustomerRefNumber, StringComparison.Ordinal);
        items = WhereEquals(items, query, "externalReference", x => x.ExternalReference, StringComparison.Ordinal);
        items = WhereEquals(items, query, "customer", x => x.CustomerNumber, StringComparison.OrdinalIgnoreCase);
        items = WhereEquals(items, query, "status", x => x.Status, StringComparison.OrdinalIgnoreCase);

        if (FilterModified(query, ref items, x => x.LastModified) is { } modifiedError)
        {
            return Bad(modifiedError);
        }

        return Page(items.Select(x => InvoiceJson(c, x)), query);
    });

    internal ApiResult GetInvoice(string tenantId, string reference) => WithCompany(tenantId, c =>
        c.Invoices.TryGetValue(reference, out var x)
            ? new ApiResult(200, InvoiceJson(c, x), ETag: ETagOf(x.Version))
            : NotFound($"Customer invoice '{reference}' was not found."));

    internal ApiResult ReleaseInvoice(string tenantId, string reference) => WithCompany(tenantId, c =>
    {
        if (!c.Invoices.TryGetValue(reference, out var x))
        {
            return NotFound($"Customer invoice '{reference}' was not found.");
        }

        // Wording UNCERTAIN (contract).
        if (x.Status is "Open" or "Closed")
        {
            return Bad("Document is already released.");
        }

        if (x.Status == "Hold")
        {
            return Bad("Document is on hold and cannot be released.");
        }

        x.Status = "Open";
        x.Balance = x.Amount;
        x.LastModified = Now;
        x.Version = c.NextVersion();
        return new ApiResult(200, new JsonObject
        {
            ["actionId"] = Guid.NewGuid().ToString(),
            ["actionResult"] = "Done",
            ["errorInfo"] = null,
        });
    });

    private static JsonObject InvoiceJson(Company c, Invoice x)
    {
        var customer = c.Customers[x.CustomerNumber];
        var zone = c.Zones[x.VatZoneId];
        return new JsonObject
        {
            ["referenceNumber"] = x.ReferenceNumber,
            ["documentType"] = "Invoice",
            ["status"] = x.Status,
            ["hold"] = x.Hold,
            ["customer"] = new JsonObject { ["number"] = customer.Number, ["name"] = customer.Name },
            ["documentDate"] = Wire.IsoDate(x.DocumentDate),
            ["currencyId"] = x.CurrencyId,
            ["exchangeRate"] = 1.0m,
            ["amount"] = x.Amount,
            ["amountInCurrency"] = x.Amount,
            ["balance"] = x.Balance,
            ["balanceInCurrency"] = x.Balance,
            ["vatTotal"] = x.VatTotal,
            ["vatTaxableTotal"] = x.VatTaxableTotal,
            ["detailTotal"] = x.DetailTotal,
            ["customerRefNumber"] = x.CustomerRefNumber,
            ["externalReference"] = x.ExternalReference,
            ["invoiceText"] = x.InvoiceText,
            ["note"] = x.Note,
            ["customerVatZone"] = new JsonObject { ["id"] = zone.Id, ["description"] = zone.Description },
            ["taxDetails"] = new JsonArray([.. x.TaxDetails.Select(d => (JsonNode)new JsonObject
            {
                ["taxId"] = d.TaxId,
                ["vatRate"] = d.VatRate,
                ["taxableAmount"] = d.TaxableAmount,
                ["vatAmount"] = d.VatAmount,
            })]),
            ["invoiceLines"] = new JsonArray([.. x.Lines.Select(l => (JsonNode)new JsonObject
            {
                ["lineNumber"] = l.LineNumber,
                ["inventoryNumber"] = l.InventoryNumber,
                ["description"] = l.Description,
                ["quantity"] = l.Quantity,
                ["unitPriceInCurrency"] = l.UnitPrice,
                ["manualAmountInCurrency"] = l.ManualAmount,
                ["amountInCurrency"] = l.Amount,
                ["discountAmountInCurrency"] = l.DiscountAmount,
                ["vatCode"] = new JsonObject { ["id"] = l.VatCodeId, ["description"] = c.Categories[l.VatCodeId].Description },
                ["uom"] = l.Uom,
            })]),
            ["lastModifiedDateTime"] = Wire.Iso(x.LastModified),
            ["createdDateTime"] = Wire.Iso(x.Created),
            ["timeStamp"] = TimeStampOf(x.Version),
            ["errorInfo"] = null,
        };
    }
}
