using System.Text.Json;
using System.Text.RegularExpressions;
using Junipeer.Connectors.Http;
using Junipeer.Core.Errors;

namespace Junipeer.Connectors.VismaNet;

/// <summary>What the connector was doing; used in messages and for operation-specific mappings.</summary>
internal enum VismaOperation
{
    Token,
    FindCustomer,
    CreateCustomer,
    FindInvoices,
    CreateInvoice,
    GetInvoice,
    ReleaseInvoice,
    GetVatCategories,
    FindPayments,
    CreatePayment,
    ReleasePayment,
    ListInvoices,
    FindCustomerByKey,
    GetPayment,
    GetCustomer,
    UpdateCustomer,
    ListOpenInvoices,
    FindCustomerPayments,
    FindCreditNotes,
    CreateCreditNote,
    GetCreditNote,
    ReleaseCreditNote,
    ListArticles,
    ListShipments,
    GetShipment,
    UpdateShipment,
    TokenCodeExchange,
    TokenRefresh,
    Probe,
    GetNumbering,
    ListCustomerClasses,
    ListVatZones,
    ListWarehouses,
    ListCustomersModified,
    ListArticlesModified,
    GetArticle,
    CreateArticle,
    UpdateArticle,
}

internal sealed record VismaErrorBody(string? Message, string? VismaId, string? FaultCode, string? OAuthError);

/// <summary>Maps Visma responses and transport failures to catalogue codes.</summary>
internal static partial class VismaNetErrors
{
    private const int MaxBodyInMessage = 600;

    public static string Describe(VismaOperation operation) => operation switch
    {
        VismaOperation.Token => "the Visma Connect token request",
        VismaOperation.FindCustomer => "the customer lookup",
        VismaOperation.CreateCustomer => "the customer create",
        VismaOperation.FindInvoices => "the invoice lookup",
        VismaOperation.CreateInvoice => "the invoice create",
        VismaOperation.GetInvoice => "the invoice read",
        VismaOperation.ReleaseInvoice => "the invoice release",
        VismaOperation.GetVatCategories => "the VAT category read",
        VismaOperation.FindPayments => "the customer payment lookup",
        VismaOperation.CreatePayment => "the customer payment create",
        VismaOperation.ReleasePayment => "the customer payment release",
        VismaOperation.ListInvoices => "the modified-invoice listing",
        VismaOperation.FindCustomerByKey => "the customer lookup by key",
        VismaOperation.GetPayment => "the customer payment read",
        VismaOperation.GetCustomer => "the customer read",
        VismaOperation.UpdateCustomer => "the customer update",
        VismaOperation.ListOpenInvoices => "the open-invoice listing",
        VismaOperation.FindCustomerPayments => "the customer's payment lookup",
        VismaOperation.FindCreditNotes => "the credit note lookup",
        VismaOperation.CreateCreditNote => "the credit note create",
        VismaOperation.GetCreditNote => "the credit note read",
        VismaOperation.ReleaseCreditNote => "the credit note release",
        VismaOperation.ListArticles => "the article (inventory) listing",
        VismaOperation.ListShipments => "the shipment listing",
        VismaOperation.GetShipment => "the shipment read",
        VismaOperation.UpdateShipment => "the shipment update",
        VismaOperation.TokenCodeExchange => "the Visma Connect authorization code exchange",
        VismaOperation.TokenRefresh => "the Visma Connect token refresh",
        VismaOperation.Probe => "the module probe",
        VismaOperation.GetNumbering => "the number series read",
        VismaOperation.ListCustomerClasses => "the customer class listing",
        VismaOperation.ListVatZones => "the VAT zone listing",
        VismaOperation.ListWarehouses => "the warehouse listing",
        VismaOperation.ListCustomersModified => "the modified-customer listing",
        VismaOperation.ListArticlesModified => "the modified-article listing",
        VismaOperation.GetArticle => "the article read",
        VismaOperation.CreateArticle => "the article create",
        VismaOperation.UpdateArticle => "the article update",
        _ => operation.ToString(),
    };

    /// <summary>Reads the three documented error shapes (message, IPPException, ProblemDetails) and OAuth errors.</summary>
    public static VismaErrorBody ParseBody(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
            return new VismaErrorBody(null, null, null, null);
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
            {
                var root = doc.RootElement;
                var message = Str(root, "message") ?? Str(root, "Message");
                if (message is not null)
                    return new VismaErrorBody(message, ExtractVismaId(message), null, null);

                var ipp = Str(root, "ExceptionMessage");
                if (ipp is not null || Str(root, "ExceptionType") is not null)
                {
                    return new VismaErrorBody(ipp, Str(root, "ExceptionMessageID"), Str(root, "ExceptionFaultCode"), null);
                }

                var oauth = Str(root, "error");
                if (oauth is not null)
                {
                    var description = Str(root, "error_description");
                    return new VismaErrorBody(description is null ? oauth : $"{oauth}: {description}", null, null, oauth);
                }

                var title = Str(root, "title");
                var detail = Str(root, "detail");
                if (title is not null || detail is not null)
                    return new VismaErrorBody(string.Join(" ", new[] { title, detail }.Where(s => !string.IsNullOrWhiteSpace(s))), null, null, null);
            }
        }
        catch (JsonException)
        {
            // Not JSON: fall through and keep the (trimmed) text.
        }

        var text = body.Trim();
        if (text.Length > MaxBodyInMessage)
            text = text[..MaxBodyInMessage] + "…";
        return new VismaErrorBody(text, ExtractVismaId(text), null, null);
    }

    public static VismaNetApiException FromStatus(VismaOperation operation, int status, string? body, TimeSpan? retryAfter)
    {
        var parsed = ParseBody(body);
        var what = Describe(operation);
        var detail = parsed.Message is null ? "" : $": {parsed.Message}";
        var idNote = parsed.VismaId is not null && parsed.Message?.Contains(parsed.VismaId, StringComparison.OrdinalIgnoreCase) != true
            ? $" (VismaId {parsed.VismaId})"
            : "";

        if (status is 401 or 403)
        {
            var fault = parsed.FaultCode is null ? "" : $" IPPException {parsed.FaultCode}.";
            return new VismaNetApiException(ErrorCodes.ErpAuthFailed,
                $"Visma.net refused {what} (HTTP {status}){detail}.{fault}{idNote} Hint: IPPException 12027 means a wrong company tenant id (use the Company tenant id, not the customer tenant) or a missing licence/API role; also check that the company has connected the app.",
                FailureKind.Unauthorized, status)
            { VismaMessage = parsed.Message, VismaId = parsed.VismaId, FaultCode = parsed.FaultCode };
        }

        if (status == 429)
        {
            return new VismaNetApiException(ErrorCodes.ErpRateLimited,
                $"Visma.net rate limit reached during {what} (HTTP 429); retry after {FormatWait(retryAfter)}.",
                FailureKind.RateLimited, status)
            { RetryAfter = retryAfter, VismaMessage = parsed.Message, VismaId = parsed.VismaId };
        }

        if (status >= 500)
        {
            return new VismaNetApiException(ErrorCodes.ErpUnavailable,
                $"Visma.net answered HTTP {status} to {what}{detail}{idNote}",
                FailureKind.ServerError, status)
            { VismaMessage = parsed.Message, VismaId = parsed.VismaId };
        }

        if (status == 412)
        {
            return new VismaNetApiException(ErrorCodes.ErpVersionConflict,
                $"Visma.net refused {what} (HTTP 412 Precondition Failed): the record changed since it was read (If-Match no longer matches){detail}{idNote}",
                FailureKind.Rejected, status)
            { VismaMessage = parsed.Message, VismaId = parsed.VismaId };
        }

        if (operation == VismaOperation.CreateCustomer && parsed.Message?.Contains("Cannot generate the next number", StringComparison.OrdinalIgnoreCase) == true)
        {
            return new VismaNetApiException(ErrorCodes.CustomerNumberSeriesExhausted,
                $"Visma.net could not number the new customer (HTTP {status}): {parsed.Message}{idNote}",
                FailureKind.Rejected, status)
            { VismaMessage = parsed.Message, VismaId = parsed.VismaId };
        }

        if (operation == VismaOperation.TokenCodeExchange && parsed.OAuthError is not null)
        {
            return new VismaNetApiException(ErrorCodes.OAuthCodeRejected,
                $"Visma Connect refused the authorization code (HTTP {status}, {parsed.OAuthError}): used before, expired, or the PKCE verifier does not match.",
                FailureKind.Rejected, status)
            { VismaMessage = parsed.Message };
        }

        if (operation == VismaOperation.TokenRefresh && parsed.OAuthError is "invalid_grant" or "invalid_client" or "unauthorized_client")
        {
            return new VismaNetApiException(ErrorCodes.ConnectionRevoked,
                $"Visma Connect refused the stored refresh token (HTTP {status}, {parsed.OAuthError}); reconnect the integration.",
                FailureKind.Unauthorized, status)
            { VismaMessage = parsed.Message };
        }

        // An auto-number that a hand-entered customer already has. Visma's wording is not documented: the emulator's
        // "already exists" (also Visma's text for an explicit duplicate number) is matched here; VERIFY on a live company.
        if (operation == VismaOperation.CreateCustomer && status == 400 && parsed.Message?.Contains("already exists", StringComparison.OrdinalIgnoreCase) == true)
        {
            return new VismaNetApiException(ErrorCodes.CustomerNumberConflict,
                $"Visma.net refused the new customer (HTTP {status}): the number its series gave is taken ({parsed.Message}){idNote}",
                FailureKind.Rejected, status)
            { VismaMessage = parsed.Message, VismaId = parsed.VismaId };
        }

        if (operation == VismaOperation.Token && parsed.OAuthError is "invalid_client" or "invalid_tenant" or "unauthorized_client" or "invalid_scope" or "access_denied")
        {
            return new VismaNetApiException(ErrorCodes.ErpAuthFailed,
                $"Visma Connect refused the client credentials (HTTP {status}, {parsed.OAuthError}). Check ClientId, the client secret and the company tenant id.",
                FailureKind.Unauthorized, status)
            { VismaMessage = parsed.Message };
        }

        return new VismaNetApiException(ErrorCodes.ErpRequestRejected,
            $"Visma.net rejected {what} (HTTP {status}){detail}{idNote}",
            FailureKind.Rejected, status)
        { VismaMessage = parsed.Message, VismaId = parsed.VismaId };
    }

    public static string FormatWait(TimeSpan? wait) => wait is null ? "an unspecified time" : $"{Math.Ceiling(wait.Value.TotalSeconds)} s";

    public static string? ExtractVismaId(string? message)
    {
        if (message is null)
            return null;
        var match = VismaIdPattern().Match(message);
        return match.Success ? match.Groups[1].Value : null;
    }

    private static string? Str(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    [GeneratedRegex(@"VismaId:\s*([0-9a-fA-F-]{8,})", RegexOptions.CultureInvariant)]
    private static partial Regex VismaIdPattern();
}
