using System.Globalization;
using System.Text.Json;
using Junipeer.Core.Errors;

namespace Junipeer.Connectors.Centra;

/// <summary>One Integration API webhook event; for type "order", Id is the order number.</summary>
public sealed record CentraWebhookEvent(string Type, string Action, string? Date, string Id);

public sealed record CentraWebhookParseResult(bool Success, IReadOnlyList<CentraWebhookEvent> Events, string? ErrorCode, string? Error)
{
    internal static CentraWebhookParseResult Ok(IReadOnlyList<CentraWebhookEvent> events) => new(true, events, null, null);
    internal static CentraWebhookParseResult Fail(string error) => new(false, [], ErrorCodes.WebhookPayloadInvalid, error);
}

/// <summary>Parses the form body <c>payload=&lt;url-encoded JSON&gt;</c> with <c>{"events":[{type, action, date, id}]}</c>.</summary>
public static class CentraWebhookPayload
{
    public static CentraWebhookParseResult Parse(string? rawBody)
    {
        if (string.IsNullOrWhiteSpace(rawBody))
            return CentraWebhookParseResult.Fail("The webhook body is empty.");

        string? json = null;
        foreach (var field in rawBody.Split('&'))
        {
            var eq = field.IndexOf('=', StringComparison.Ordinal);
            var name = Decode(eq < 0 ? field : field[..eq]);
            if (name == "payload")
            {
                json = eq < 0 ? "" : Decode(field[(eq + 1)..]);
                break;
            }
        }

        if (json is null)
            return CentraWebhookParseResult.Fail("The webhook body has no payload form field.");

        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object
                || !doc.RootElement.TryGetProperty("events", out var events)
                || events.ValueKind != JsonValueKind.Array)
                return CentraWebhookParseResult.Fail("The payload JSON has no events array.");

            var result = new List<CentraWebhookEvent>();
            foreach (var item in events.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object)
                    return CentraWebhookParseResult.Fail("An event is not an object.");
                var type = Text(item, "type");
                var action = Text(item, "action");
                var id = Text(item, "id");
                if (string.IsNullOrWhiteSpace(type) || string.IsNullOrWhiteSpace(action) || string.IsNullOrWhiteSpace(id))
                    return CentraWebhookParseResult.Fail("An event lacks type, action or id.");
                result.Add(new CentraWebhookEvent(type, action, Text(item, "date"), id));
            }

            return CentraWebhookParseResult.Ok(result);
        }
        catch (JsonException ex)
        {
            return CentraWebhookParseResult.Fail($"The payload is not valid JSON: {ex.Message}");
        }
    }

    private static string Decode(string value)
    {
        try
        {
            return Uri.UnescapeDataString(value.Replace('+', ' '));
        }
        catch (UriFormatException)
        {
            return value;
        }
    }

    private static string? Text(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var value))
            return null;
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.TryGetInt64(out var l) ? l.ToString(CultureInfo.InvariantCulture) : value.GetRawText(),
            _ => null,
        };
    }
}
