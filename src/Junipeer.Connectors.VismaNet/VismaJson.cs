using System.Text.Json;
using System.Text.Json.Serialization;

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

    public static T? Deserialize<T>(string body) => string.IsNullOrWhiteSpace(body) ? default : JsonSerializer.Deserialize<T>(body, Options);
}
