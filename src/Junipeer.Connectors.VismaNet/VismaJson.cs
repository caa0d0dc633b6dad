using System.Text.Json;
using System.Text.Json.Serialization;
using Junipeer.Connectors.Http;
using Junipeer.Core.Errors;

namespace Junipeer.Connectors.VismaNet;

internal static class VismaJson
{
    /// <summary>Writes omit nulls: an absent field means "unchanged" to Visma.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNameCaseInsensitive = true,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>
    /// The body as <typeparamref name="T"/>; an empty body is null. A body that is not JSON of that
    /// shape (an HTML gateway page, a cut-off answer) is ERP_RESPONSE_MALFORMED, never a raw parser error.
    /// </summary>
    public static T? Deserialize<T>(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
            return default;
        try
        {
            return JsonSerializer.Deserialize<T>(body, Options);
        }
        catch (JsonException ex)
        {
            throw Malformed($"a body that is not the documented JSON ({ex.Message.Split('.')[0]})", ex);
        }
    }

    /// <summary>
    /// A list read: the body must be a JSON array (an empty page is <c>[]</c>). An empty or null body is
    /// ERP_RESPONSE_MALFORMED, never "no documents": read as an empty list it would make a lookup by
    /// reference answer "absent" and the caller create a document that exists.
    /// </summary>
    public static List<T> DeserializeList<T>(string body) =>
        Deserialize<List<T>>(body) ?? throw Malformed("an empty body where a JSON array was expected", null);

    private static VismaNetApiException Malformed(string what, Exception? inner) =>
        new(ErrorCodes.ErpResponseMalformed, $"Visma.net answered with {what}; nothing was read from it.", FailureKind.Malformed, 200, inner);
}
