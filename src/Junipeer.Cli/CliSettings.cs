using System.Text.Json;

namespace Junipeer.Cli;

/// <summary>Reads local.settings.json "Values" (the Functions convention) for the local host and commands.</summary>
public static class CliSettings
{
    public static Dictionary<string, string?> LoadLocalSettings(string? path)
    {
        var file = path ?? Path.Combine(Azurite.AzuriteRunner.RepositoryRoot(), "local.settings.json");
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (!File.Exists(file))
        {
            return values;
        }

        using var doc = JsonDocument.Parse(File.ReadAllText(file));
        if (doc.RootElement.TryGetProperty("Values", out var v))
        {
            foreach (var p in v.EnumerateObject())
            {
                values[p.Name.Replace("__", ":", StringComparison.Ordinal)] = p.Value.ToString();
            }
        }

        return values;
    }
}
