using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Junipeer.Connectors.Payments.Adyen;

/// <summary>One <c>NotificationRequestItem</c> of an Adyen standard notification, the fields the HMAC and the intake use.</summary>
public sealed record AdyenNotificationItem
{
    public string? PspReference { get; init; }
    public string? OriginalReference { get; init; }
    public string? MerchantAccountCode { get; init; }
    public string? MerchantReference { get; init; }
    public long? Value { get; init; }
    public string? Currency { get; init; }
    public string? EventCode { get; init; }

    /// <summary>As sent ("true"/"false"; a JSON boolean is read as its text).</summary>
    public string? Success { get; init; }
    public string? Reason { get; init; }
    public string? HmacSignature { get; init; }
}

/// <summary>
/// Adyen standard notification JSON: <c>{"live": "false", "notificationItems": [{"NotificationRequestItem": {…}}]}</c>.
/// <c>REPORT_AVAILABLE</c>: <c>pspReference</c> is the report's file name, <c>reason</c> its download URL.
/// </summary>
public static partial class AdyenNotification
{
    public const string ReportAvailable = "REPORT_AVAILABLE";

    /// <summary>Adyen's documented acknowledgement body.</summary>
    public const string Accepted = "[accepted]";

    [GeneratedRegex(@"^settlement_detail_report_batch_([0-9]{1,18})\.csv$")]
    private static partial Regex SettlementReport();

    /// <summary>The batch number when <paramref name="fileName"/> is a settlement details report's documented name.</summary>
    public static long? SettlementBatch(string? fileName) =>
        fileName is not null && SettlementReport().Match(fileName) is { Success: true } m && long.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : null;

    /// <summary>The items, or an error text when the body is not a standard notification.</summary>
    public static (IReadOnlyList<AdyenNotificationItem> Items, string? Error) Parse(string rawBody)
    {
        try
        {
            using var doc = JsonDocument.Parse(rawBody);
            if (doc.RootElement.ValueKind != JsonValueKind.Object
                || !doc.RootElement.TryGetProperty("notificationItems", out var items)
                || items.ValueKind != JsonValueKind.Array)
                return ([], "The body must be an Adyen notification: an object with a notificationItems array.");
            var list = new List<AdyenNotificationItem>();
            foreach (var wrapper in items.EnumerateArray())
            {
                if (wrapper.ValueKind != JsonValueKind.Object || !wrapper.TryGetProperty("NotificationRequestItem", out var i) || i.ValueKind != JsonValueKind.Object)
                    return ([], "Every notificationItems entry must hold a NotificationRequestItem object.");
                long? value = null;
                string? currency = null;
                if (i.TryGetProperty("amount", out var amount) && amount.ValueKind == JsonValueKind.Object)
                {
                    if (amount.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var lv))
                        value = lv;
                    currency = Str(amount, "currency");
                }

                string? hmac = null;
                if (i.TryGetProperty("additionalData", out var extra) && extra.ValueKind == JsonValueKind.Object)
                    hmac = Str(extra, "hmacSignature");
                list.Add(new AdyenNotificationItem
                {
                    PspReference = Str(i, "pspReference"),
                    OriginalReference = Str(i, "originalReference"),
                    MerchantAccountCode = Str(i, "merchantAccountCode"),
                    MerchantReference = Str(i, "merchantReference"),
                    Value = value,
                    Currency = currency,
                    EventCode = Str(i, "eventCode"),
                    Success = i.TryGetProperty("success", out var s) ? s.ValueKind switch
                    {
                        JsonValueKind.String => s.GetString(),
                        JsonValueKind.True => "true",
                        JsonValueKind.False => "false",
                        _ => null,
                    } : null,
                    Reason = Str(i, "reason"),
                    HmacSignature = hmac,
                });
            }

            return (list, null);
        }
        catch (JsonException)
        {
            return ([], "The body is not JSON.");
        }
    }

    private static string? Str(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
