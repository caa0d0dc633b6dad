namespace Junipeer.Sandbox.Visma;

internal static class Countries
{
    private static readonly Dictionary<string, string> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["SE"] = "Sweden", ["NO"] = "Norway", ["DK"] = "Denmark", ["FI"] = "Finland", ["DE"] = "Germany",
        ["NL"] = "Netherlands", ["FR"] = "France", ["GB"] = "United Kingdom", ["US"] = "United States",
        ["ES"] = "Spain", ["IT"] = "Italy", ["PL"] = "Poland", ["AT"] = "Austria", ["BE"] = "Belgium", ["IE"] = "Ireland",
    };

    public static string Name(string code) => Names.TryGetValue(code, out var n) ? n : code;
}
