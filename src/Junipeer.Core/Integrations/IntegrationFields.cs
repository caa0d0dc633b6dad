using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Junipeer.Core.Errors;

namespace Junipeer.Core.Integrations;

/// <summary>
/// Finds fields in an integration settings document that are not settings (usually misspellings),
/// which the JSON reader would otherwise silently ignore, and suggests the closest known name.
/// Names compare case-insensitively, as the reader does; dictionary keys (country codes, rates,
/// markets) are free and only their values are checked.
/// </summary>
public static class IntegrationFields
{
    /// <summary>Throws INTEGRATION_FIELD_UNKNOWN naming every unknown field's path and the closest known name.</summary>
    public static void EnsureKnown(JsonNode? document)
    {
        var problems = Unknown(document);
        if (problems.Count > 0)
            throw new JunipeerException(ErrorCodes.IntegrationFieldUnknown, "Unknown settings: " + string.Join(" ", problems));
    }

    public static IReadOnlyList<string> Unknown(JsonNode? document)
    {
        var problems = new List<string>();
        Walk(document, typeof(Integration), "", problems);
        return problems;
    }

    private static void Walk(JsonNode? node, Type type, string path, List<string> problems)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (node is null || type == typeof(string) || type.IsPrimitive || type.IsEnum || type == typeof(decimal) || type == typeof(DateTimeOffset) || type == typeof(DateOnly))
            return;

        if (Dictionary(type) is { } valueType)
        {
            if (node is JsonObject map)
                foreach (var (key, value) in map)
                    Walk(value, valueType, $"{path}.{key}", problems);
            return;
        }

        if (Element(type) is { } elementType)
        {
            if (node is JsonArray array)
                for (var i = 0; i < array.Count; i++)
                    Walk(array[i], elementType, $"{path}[{i}]", problems);
            return;
        }

        if (node is not JsonObject obj)
            return;
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).ToList();
        foreach (var (name, value) in obj)
        {
            var property = properties.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
            var here = path.Length == 0 ? name : $"{path}.{name}";
            if (property is null)
            {
                var closest = properties.Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name))
                    .OrderBy(candidate => Distance(candidate.ToLowerInvariant(), name.ToLowerInvariant())).FirstOrDefault();
                problems.Add(closest is null ? $"'{here}' is not a setting." : $"'{here}' is not a setting (did you mean '{(path.Length == 0 ? closest : $"{path}.{closest}")}'?).");
                continue;
            }

            Walk(value, property.PropertyType, here, problems);
        }
    }

    private static Type? Dictionary(Type type)
    {
        var generic = type.IsGenericType ? type.GetGenericTypeDefinition() : null;
        if (generic == typeof(IReadOnlyDictionary<,>) || generic == typeof(IDictionary<,>) || generic == typeof(Dictionary<,>))
            return type.GetGenericArguments()[1];
        return null;
    }

    private static Type? Element(Type type)
    {
        if (type.IsArray)
            return type.GetElementType();
        return type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type) ? type.GetGenericArguments()[0] : null;
    }

    /// <summary>Levenshtein distance.</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
            d[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            var previous = d[0];
            d[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var current = d[j];
                d[j] = Math.Min(Math.Min(d[j] + 1, d[j - 1] + 1), previous + (a[i - 1] == b[j - 1] ? 0 : 1));
                previous = current;
            }
        }

        return d[b.Length];
    }
}
