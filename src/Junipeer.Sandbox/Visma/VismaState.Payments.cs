using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Junipeer.Sandbox.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Junipeer.Sandbox.Visma;

/// <summary>Customer payments: create, list (filters), read, release (applies to invoices).</summary>
public sealed partial class VismaState
{
    // ---------------------------------------------------------------- customer payments

    /// <summary>
    /// POST /v1/customerPayment (value-wrapped PaymentUpdateDto). Only <c>type</c> Payment with
    /// application lines to released invoices of the same customer and currency is emulated.
    /// </summary>
    internal ApiResult CreatePayment(string tenantId, JsonObject? body) => WithCompany(tenantId, c =>
    {
        if (body is null)
        {
            return Bad("The request body must be a JSON object.");
        }

        var type = Wire.Str(body, "type") ?? "Payment";
        if (!string.Equals(type, "Payment", StringComparison.OrdinalIgnoreCase))
        {
            return Bad($"Error creating payment. Payment type '{type}' is not supported by the sandbox.");
        }

        var customerNumber = Wire.Str(body, "customer");
        if (customerNumber is null || !c.Customers.TryGetValue(customerNumber, out var customer))
        {
            return Bad($"Error creating payment. Customer '{customerNumber}' cannot be found in the system.");
        }

        var methodId = Wire.Str(body, "paymentMethod");
        if (methodId is null || !c.PaymentMethods.TryGetValue(methodId, out var method))
        {
            return Bad($"Error creating payment. Payment method '{methodId}' cannot be found in the system.");
        }

        var cashAccount = Wire.Str(body, "cashAccount");
        if (cashAccount is null || !c.CashAccounts.Contains(cashAccount))
        {
            return Bad($"Error creating payment. Cash account '{cashAccount}' cannot be found in the system.");
        }

        var date = DateOnly.FromDateTime(Now.UtcDateTime);
        if (Wire.Str(body, "applicationDate") is { } ds)
        {
            if (!DateTime.TryParse(ds, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var dt))
            {
                return Bad($"Invalid applicationDate '{ds}'.");
            }

            date = DateOnly.FromDateTime(dt);
        }

        var currency = Wire.Str(body, "currency") ?? customer.CurrencyId ?? c.Spec.BaseCurrency;
        var amount = Wire.Dec(body, "paymentAmount");
        if (amount is null || amount <= 0m)
        {
            return Bad("Error creating payment. 'Payment Amount' must be greater than 0.");
        }

        var lines = new List<PaymentLine>();
        foreach (var node in Wire.Arr(body, "paymentLines") ?? [])
        {
            if (node is not JsonObject l)
            {
                return Bad("Each payment line must be an object.");
            }

            var op = Wire.Str(l, "operation");
            if (op is not null && !string.Equals(op, "Insert", StringComparison.OrdinalIgnoreCase))
            {
                return Bad($"Operation '{op}' is not valid on a new document.");
            }

            var docType = Wire.Str(l, "documentType") ?? "Invoice";
            if (!string.Equals(docType, "Invoice", StringComparison.OrdinalIgnoreCase))
            {
                return Bad($"Error creating payment. Document type '{docType}' is not supported by the sandbox (use Invoice).");
            }

            var refNbr = Wire.Str(l, "refNbr");
            if (refNbr is null || !c.Invoices.TryGetValue(refNbr, out var invoice))
            {
                return Bad($"Error creating payment. Error: AdjdRefNbr '{refNbr}' cannot be found in the system.");
            }

            if (!string.Equals(invoice.CustomerNumber, customer.Number, StringComparison.Ordinal))
            {
                return Bad($"Error creating payment. Invoice '{refNbr}' belongs to customer '{invoice.CustomerNumber}', not '{customer.Number}'.");
            }

            if (invoice.Status != "Open")
            {
                return Bad($"Error creating payment. Invoice '{refNbr}' has status {invoice.Status}; only released (Open) documents can be paid.");
            }

            if (!string.Equals(invoice.CurrencyId, currency, StringComparison.OrdinalIgnoreCase))
            {
                return Bad($"Error creating payment. The payment currency {currency} differs from the currency {invoice.CurrencyId} of invoice '{refNbr}'.");
            }

            var paid = Wire.Dec(l, "amountPaid") ?? invoice.Balance;
            if (paid <= 0m)
            {
                return Bad($"Error creating payment. 'Amount Paid' on invoice '{refNbr}' must be greater than 0.");
            }

            // Balance write-off (e.g. a PSP fee): needs write-offs enabled on the customer's class, an
            // amount within its write-off limit, and a reason code that exists (help pages; wording UNCERTAIN).
            var writeOff = Wire.Dec(l, "balanceWriteOff") ?? 0m;
            var reason = Wire.Str(l, "writeOffReasonCode");
            if (writeOff < 0m)
            {
                return Bad($"Error creating payment. 'Balance write-off' on invoice '{refNbr}' cannot be negative.");
            }

            if (writeOff > 0m)
            {
                var limit = c.Classes.TryGetValue(customer.ClassId, out var cls) ? cls.WriteOffLimit : null;
                if (limit is null)
                {
                    return Bad($"Error creating payment. Write-offs are not enabled for customer '{customer.Number}' (customer class {customer.ClassId}).");
                }

                if (writeOff > limit)
                {
                    return Bad($"Error creating payment. The write-off {Wire.Inv(writeOff)} on invoice '{refNbr}' exceeds the write-off limit {Wire.Inv(limit.Value)}.");
                }

                if (reason is null || !c.Spec.WriteOffReasonCodes.Contains(reason, StringComparer.OrdinalIgnoreCase))
                {
                    return Bad($"Error creating payment. Reason code '{reason}' cannot be found in the system.");
                }
            }

            if (paid + writeOff + lines.Where(x => x.RefNbr == refNbr).Sum(x => x.AmountPaid + x.BalanceWriteOff) > invoice.Balance)
            {
                return Bad($"Error creating payment. 'Amount Paid' {Wire.Inv(paid)} plus write-off {Wire.Inv(writeOff)} exceeds the balance {Wire.Inv(invoice.Balance)} of invoice '{refNbr}'.");
            }

            lines.Add(new PaymentLine("Invoice", invoice.ReferenceNumber, Money.R2(paid), Money.R2(writeOff), writeOff > 0m ? reason : null));
        }

        // Bank charges deducted from the payment (financeCharges): UI-configured cash entry types.
        var charges = new List<FinanceCharge>();
        foreach (var node in Wire.Arr(body, "financeCharges") ?? [])
        {
            if (node is not JsonObject f)
            {
                return Bad("Each finance charge must be an object.");
            }

            var entryType = Wire.Str(f, "entryType");
            if (entryType is null || !c.Spec.ChargeEntryTypes.Contains(entryType, StringComparer.OrdinalIgnoreCase))
            {
                return Bad($"Error creating payment. Entry type '{entryType}' cannot be found in the system.");
            }

            var chargeAmount = Wire.Dec(f, "amount") ?? 0m;
            if (chargeAmount <= 0m)
            {
                return Bad("Error creating payment. The amount of a finance charge must be greater than 0.");
            }

            charges.Add(new FinanceCharge(entryType, Money.R2(chargeAmount), Wire.Str(f, "description")));
        }

        // The emulator keeps payments fully applied: paymentAmount must equal the lines' sum less the
        // deducted charges (UNCERTAIN in Visma's documents: the arithmetic of charges vs amountPaid).
        var applied = lines.Sum(x => x.AmountPaid) - charges.Sum(x => x.Amount);
        if (lines.Count > 0 && applied != amount)
        {
            return Bad($"Error creating payment. The payment amount {Wire.Inv(amount.Value)} differs from the applied amount {Wire.Inv(applied)}.");
        }

        var number = c.PaymentSeries.Peek();
        if (number is null)
        {
            return Bad($"Cannot generate the next number for the {c.PaymentSeries.Name} sequence.");
        }

        c.PaymentSeries.Consume(number);
        var hold = Wire.Bool(body, "hold") ?? false;
        var now = Now;
        var payment = new Payment
        {
            RefNbr = number,
            Type = "Payment",
            CustomerNumber = customer.Number,
            ApplicationDate = date,
            PaymentRef = Wire.Str(body, "paymentRef"),
            PaymentMethodId = method.Id,
            CashAccount = cashAccount,
            Currency = currency,
            PaymentAmount = Money.R2(amount.Value),
            InvoiceText = Wire.Str(body, "invoiceText"),
            Hold = hold,
            Status = hold ? "Hold" : "Balanced",
            Created = now,
            LastModified = now,
            Version = c.NextVersion(),
        };
        payment.Lines.AddRange(lines);
        payment.Charges.AddRange(charges);
        c.Payments[number] = payment;
        return new ApiResult(201, null, "/v1/customerPayment/" + Uri.EscapeDataString(number), ETagOf(payment.Version));
    });

    internal ApiResult ListPayments(string tenantId, IQueryCollection query) => WithCompany(tenantId, c =>
    {
        IEnumerable<Payment> items = c.Payments.Values;
        if (Q(query, "invoiceRefNbr") is { } invoiceRef)
        {
            items = items.Where(x => x.Lines.Any(l => string.Equals(l.RefNbr, invoiceRef, StringComparison.Ordinal)));
        }

        items = WhereEquals(items, query, "customer", x => x.CustomerNumber, StringComparison.OrdinalIgnoreCase);
        items = WhereEquals(items, query, "paymentNbr", x => x.RefNbr, StringComparison.Ordinal);
        items = WhereEquals(items, query, "paymentType", x => x.Type, StringComparison.OrdinalIgnoreCase);
        items = WhereEquals(items, query, "status", x => x.Status, StringComparison.OrdinalIgnoreCase);

        if (FilterModified(query, ref items, x => x.LastModified) is { } modifiedError)
        {
            return Bad(modifiedError);
        }

        return Page(items.Select(x => PaymentJson(c, x)), query);
    });

    internal ApiResult GetPayment(string tenantId, string number) => WithCompany(tenantId, c =>
        c.Payments.TryGetValue(number, out var x)
            ? new ApiResult(200, PaymentJson(c, x), ETag: ETagOf(x.Version))
            : NotFound($"Customer payment '{number}' was not found."));

    /// <summary>Release: applies each line (reduces the invoice balance; Closed at 0) and books the payment.</summary>
    internal ApiResult ReleasePayment(string tenantId, string number, JsonObject? body) => WithCompany(tenantId, c =>
    {
        if (!c.Payments.TryGetValue(number, out var x))
        {
            return NotFound($"Customer payment '{number}' was not found.");
        }

        if (Wire.Str(body, "type") is { } type && !string.Equals(type, x.Type, StringComparison.OrdinalIgnoreCase))
        {
            return Bad($"Customer payment '{number}' is of type {x.Type}, not {type}.");
        }

        // Same wording as the invoice release (UNCERTAIN, contract).
        if (x.Status is "Open" or "Closed")
        {
            return Bad("Document is already released.");
        }

        if (x.Status == "Hold")
        {
            return Bad("Document is on hold and cannot be released.");
        }

        foreach (var line in x.Lines)
        {
            var invoice = c.Invoices[line.RefNbr];
            if (invoice.Status != "Open" || line.AmountPaid + line.BalanceWriteOff > invoice.Balance)
            {
                return Bad($"Invoice '{line.RefNbr}' has a balance of {Wire.Inv(invoice.Balance)} ({invoice.Status}); the payment cannot apply {Wire.Inv(line.AmountPaid + line.BalanceWriteOff)}.");
            }
        }

        var now = Now;
        foreach (var line in x.Lines)
        {
            var invoice = c.Invoices[line.RefNbr];
            invoice.Balance = Money.R2(invoice.Balance - line.AmountPaid - line.BalanceWriteOff);
            if (invoice.Balance == 0m)
            {
                invoice.Status = "Closed";
            }

            invoice.LastModified = now;
            invoice.Version = c.NextVersion();
        }

        x.Status = x.Lines.Sum(l => l.AmountPaid) - x.Charges.Sum(f => f.Amount) == x.PaymentAmount ? "Closed" : "Open";
        x.LastModified = now;
        x.Version = c.NextVersion();
        return new ApiResult(200, new JsonObject
        {
            ["actionId"] = Guid.NewGuid().ToString(),
            ["actionResult"] = "Done",
            ["errorInfo"] = null,
        });
    });

    private static JsonObject PaymentJson(Company c, Payment x)
    {
        var customer = c.Customers[x.CustomerNumber];
        var method = c.PaymentMethods[x.PaymentMethodId];
        var applied = x.Status is "Open" or "Closed" ? x.Lines.Sum(l => l.AmountPaid) - x.Charges.Sum(f => f.Amount) : 0m;
        return new JsonObject
        {
            ["type"] = x.Type,
            ["refNbr"] = x.RefNbr,
            ["status"] = x.Status,
            ["hold"] = x.Hold,
            ["applicationDate"] = Wire.IsoDate(x.ApplicationDate),
            ["paymentRef"] = x.PaymentRef,
            ["customer"] = new JsonObject { ["number"] = customer.Number, ["name"] = customer.Name },
            ["paymentMethod"] = new JsonObject { ["id"] = method.Id, ["description"] = method.Description },
            ["cashAccount"] = x.CashAccount,
            ["currency"] = x.Currency,
            ["paymentAmount"] = x.PaymentAmount,
            ["paymentAmountInCurrency"] = x.PaymentAmount,
            ["invoiceText"] = x.InvoiceText,
            ["appliedToDocuments"] = applied,
            ["availableBalance"] = x.PaymentAmount - applied,
            ["availableBalanceInCurrency"] = x.PaymentAmount - applied,
            ["paymentLines"] = new JsonArray([.. x.Lines.Select(l =>
            {
                var invoice = c.Invoices[l.RefNbr];
                return (JsonNode)new JsonObject
                {
                    ["documentType"] = l.DocumentType,
                    ["refNbr"] = l.RefNbr,
                    ["amountPaid"] = l.AmountPaid,
                    ["cashDiscountTaken"] = 0m,
                    ["balanceWriteOff"] = l.BalanceWriteOff,
                    ["writeOffReasonCode"] = l.WriteOffReasonCode is null ? null : new JsonObject { ["id"] = l.WriteOffReasonCode, ["description"] = l.WriteOffReasonCode },
                    ["date"] = Wire.IsoDate(invoice.DocumentDate),
                    ["balance"] = invoice.Balance,
                    ["description"] = invoice.InvoiceText,
                    ["currency"] = invoice.CurrencyId,
                };
            })]),
            ["writeOffAmount"] = x.Lines.Sum(l => l.BalanceWriteOff),
            // The read DTO publishes financeCharges / deductedCharges as numbers (totals), not lines.
            ["financeCharges"] = x.Charges.Sum(f => f.Amount),
            ["deductedCharges"] = x.Charges.Sum(f => f.Amount),
            ["lastModifiedDateTime"] = Wire.Iso(x.LastModified),
            ["timeStamp"] = TimeStampOf(x.Version),
            ["errorInfo"] = null,
        };
    }
}
