using System.Globalization;
using System.Text.Json.Nodes;
using Junipeer.Sandbox.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Junipeer.Sandbox.Visma;

/// <summary>
/// Customer credit notes (<c>/v1/customerCreditNote</c>): create with lines, VAT adjustments
/// (<c>taxDetails</c>) and <c>applicationLines</c> to open invoices of the same customer; release
/// books the credit and applies it (reduces the invoices' balances); list by reference and customer.
/// </summary>
public sealed partial class VismaState
{
    internal ApiResult CreateCreditNote(string tenantId, JsonObject? body) => WithCompany(tenantId, c =>
    {
        if (body is null)
        {
            return Bad("The request body must be a JSON object.");
        }

        var customerNumber = Wire.Str(body, "customerNumber");
        if (customerNumber is null || !c.Customers.TryGetValue(customerNumber, out var customer))
        {
            return Bad($"Error creating customer credit note. Customer '{customerNumber}' cannot be found in the system.");
        }

        var docDate = DateOnly.FromDateTime(Now.UtcDateTime);
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

        if (BuildLines(c, zone, docDate, Wire.Arr(body, "lines"), Wire.Arr(body, "taxDetails"), "credit note", out var built) is { } lineError)
        {
            return lineError;
        }

        var (lines, details, vatTaxableTotal) = built;
        var currency = Wire.Str(body, "currencyId") ?? customer.CurrencyId ?? c.Spec.BaseCurrency;
        var amount = lines.Sum(x => x.Amount) + details.Sum(d => d.VatAmount);
        if (amount <= 0m)
        {
            return Bad("Error creating customer credit note. The document total must be greater than 0.");
        }

        var applications = new List<PaymentLine>();
        foreach (var node in Wire.Arr(body, "applicationLines") ?? [])
        {
            if (node is not JsonObject a)
            {
                return Bad("Each application line must be an object.");
            }

            var op = Wire.Str(a, "operation");
            if (op is not null && !string.Equals(op, "Insert", StringComparison.OrdinalIgnoreCase))
            {
                return Bad($"Operation '{op}' is not valid on a new document.");
            }

            var docType = Wire.Str(a, "documentType") ?? "Invoice";
            if (!string.Equals(docType, "Invoice", StringComparison.OrdinalIgnoreCase))
            {
                return Bad($"Error creating customer credit note. Document type '{docType}' is not supported by the sandbox (use Invoice).");
            }

            var refNbr = Wire.Str(a, "refNbr");
            if (refNbr is null || !c.Invoices.TryGetValue(refNbr, out var invoice))
            {
                return Bad($"Error creating customer credit note. Error: AdjdRefNbr '{refNbr}' cannot be found in the system.");
            }

            if (!string.Equals(invoice.CustomerNumber, customer.Number, StringComparison.Ordinal))
            {
                return Bad($"Error creating customer credit note. Invoice '{refNbr}' belongs to customer '{invoice.CustomerNumber}', not '{customer.Number}'.");
            }

            if (!string.Equals(invoice.CurrencyId, currency, StringComparison.OrdinalIgnoreCase))
            {
                return Bad($"Error creating customer credit note. The currency {currency} differs from the currency {invoice.CurrencyId} of invoice '{refNbr}'.");
            }

            if (invoice.Status != "Open")
            {
                return Bad($"Error creating customer credit note. Invoice '{refNbr}' has status {invoice.Status}; only released (Open) documents can be applied to.");
            }

            var paid = Wire.Dec(a, "amountPaid") ?? 0m;
            if (paid <= 0m || paid > invoice.Balance)
            {
                return Bad($"Error creating customer credit note. 'Amount Paid' {Wire.Inv(paid)} must be greater than 0 and at most the balance {Wire.Inv(invoice.Balance)} of invoice '{refNbr}'.");
            }

            applications.Add(new PaymentLine("Invoice", refNbr, Money.R2(paid)));
        }

        if (applications.Sum(a => a.AmountPaid) > amount)
        {
            return Bad($"Error creating customer credit note. The applied amount {Wire.Inv(applications.Sum(a => a.AmountPaid))} exceeds the credit note total {Wire.Inv(amount)}.");
        }

        var number = c.CreditNoteSeries.Peek();
        if (number is null)
        {
            return Bad($"Cannot generate the next number for the {c.CreditNoteSeries.Name} sequence.");
        }

        c.CreditNoteSeries.Consume(number);
        var hold = Wire.Bool(body, "hold") ?? false;
        var now = Now;
        var note = new Invoice
        {
            ReferenceNumber = number,
            CustomerNumber = customer.Number,
            DocumentDate = docDate,
            CurrencyId = currency,
            VatZoneId = zone.Id,
            CustomerRefNumber = Wire.Str(body, "customerRefNumber"),
            ExternalReference = Wire.Str(body, "externalReference"),
            InvoiceText = Wire.Str(body, "invoiceText"),
            Note = Wire.Str(body, "note"),
            Hold = hold,
            Status = hold ? "Hold" : "Balanced",
            DetailTotal = lines.Sum(x => x.Amount),
            VatTaxableTotal = vatTaxableTotal,
            VatTotal = details.Sum(d => d.VatAmount),
            Amount = amount,
            Balance = 0m,
            Created = now,
            LastModified = now,
            Version = c.NextVersion(),
        };
        note.Lines.AddRange(lines);
        note.TaxDetails.AddRange(details);
        note.Applications.AddRange(applications);
        c.CreditNotes[number] = note;
        return new ApiResult(201, null, "/v1/customerCreditNote/" + Uri.EscapeDataString(number), ETagOf(note.Version));
    });

    internal ApiResult ListCreditNotes(string tenantId, IQueryCollection query) => WithCompany(tenantId, c =>
    {
        IEnumerable<Invoice> items = c.CreditNotes.Values;

        // VERIFY (contract): exact match on customerRefNumber / externalReference.
        items = WhereEquals(items, query, "customerRefNumber", x => x.CustomerRefNumber, StringComparison.Ordinal);
        items = WhereEquals(items, query, "externalReference", x => x.ExternalReference, StringComparison.Ordinal);
        items = WhereEquals(items, query, "customer", x => x.CustomerNumber, StringComparison.OrdinalIgnoreCase);
        items = WhereEquals(items, query, "status", x => x.Status, StringComparison.OrdinalIgnoreCase);
        if (FilterModified(query, ref items, x => x.LastModified) is { } modifiedError)
        {
            return Bad(modifiedError);
        }

        return Page(items.Select(x => CreditNoteJson(c, x)), query);
    });

    internal ApiResult GetCreditNote(string tenantId, string number) => WithCompany(tenantId, c =>
        c.CreditNotes.TryGetValue(number, out var x)
            ? new ApiResult(200, CreditNoteJson(c, x), ETag: ETagOf(x.Version))
            : NotFound($"Customer credit note '{number}' was not found."));

    /// <summary>Release: books the credit note and applies its application lines to the invoices.</summary>
    internal ApiResult ReleaseCreditNote(string tenantId, string number) => WithCompany(tenantId, c =>
    {
        if (!c.CreditNotes.TryGetValue(number, out var x))
        {
            return NotFound($"Customer credit note '{number}' was not found.");
        }

        if (x.Status is "Open" or "Closed")
        {
            return Bad("Document is already released.");
        }

        if (x.Status == "Hold")
        {
            return Bad("Document is on hold and cannot be released.");
        }

        foreach (var a in x.Applications)
        {
            var invoice = c.Invoices[a.RefNbr];
            if (invoice.Status != "Open" || a.AmountPaid > invoice.Balance)
            {
                return Bad($"Invoice '{a.RefNbr}' has a balance of {Wire.Inv(invoice.Balance)} ({invoice.Status}); the credit note cannot apply {Wire.Inv(a.AmountPaid)}.");
            }
        }

        var now = Now;
        foreach (var a in x.Applications)
        {
            var invoice = c.Invoices[a.RefNbr];
            invoice.Balance = Money.R2(invoice.Balance - a.AmountPaid);
            if (invoice.Balance == 0m)
            {
                invoice.Status = "Closed";
            }

            invoice.LastModified = now;
            invoice.Version = c.NextVersion();
        }

        x.Balance = Money.R2(x.Amount - x.Applications.Sum(a => a.AmountPaid));
        x.Status = x.Balance == 0m ? "Closed" : "Open";
        x.LastModified = now;
        x.Version = c.NextVersion();
        return new ApiResult(200, new JsonObject
        {
            ["actionId"] = Guid.NewGuid().ToString(),
            ["actionResult"] = "Done",
            ["errorInfo"] = null,
        });
    });

    private static JsonObject CreditNoteJson(Company c, Invoice x)
    {
        var customer = c.Customers[x.CustomerNumber];
        var zone = c.Zones[x.VatZoneId];
        var released = x.Status is "Open" or "Closed";
        return new JsonObject
        {
            ["referenceNumber"] = x.ReferenceNumber,
            ["documentType"] = "CreditNote",
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
            ["lines"] = new JsonArray([.. x.Lines.Select(l => (JsonNode)new JsonObject
            {
                ["lineNumber"] = l.LineNumber,
                ["inventoryNumber"] = l.InventoryNumber,
                ["description"] = l.Description,
                ["quantity"] = l.Quantity,
                ["unitPriceInCurrency"] = l.UnitPrice,
                ["manualAmountInCurrency"] = l.ManualAmount,
                ["amountInCurrency"] = l.Amount,
                ["vatCode"] = new JsonObject { ["id"] = l.VatCodeId, ["description"] = c.Categories[l.VatCodeId].Description },
                ["uom"] = l.Uom,
            })]),
            ["applications"] = new JsonArray([.. x.Applications.Select(a => (JsonNode)new JsonObject
            {
                ["docType"] = a.DocumentType,
                ["customerCD"] = x.CustomerNumber,
                ["refNbr"] = a.RefNbr,
                ["amountPaid"] = a.AmountPaid,
                ["released"] = released,
            })]),
            ["lastModifiedDateTime"] = Wire.Iso(x.LastModified),
            ["createdDateTime"] = Wire.Iso(x.Created),
            ["timeStamp"] = TimeStampOf(x.Version),
            ["errorInfo"] = null,
        };
    }
}
