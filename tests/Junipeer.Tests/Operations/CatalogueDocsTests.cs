using System.Text.RegularExpressions;
using Junipeer.Cli.Azurite;
using Junipeer.Core.Errors;

namespace Junipeer.Tests.Operations;

/// <summary>The console and `status` show cause and fix from the catalogue: they must say what docs/error-codes.md says.</summary>
public partial class CatalogueDocsTests
{
    [Fact]
    public void Cause_and_fix_in_the_catalogue_match_docs_error_codes()
    {
        var doc = File.ReadAllText(Path.Combine(AzuriteRunner.RepositoryRoot(), "docs", "error-codes.md"));
        // Markdown code spans (`x`) are formatting, not wording.
        static string Cell(string s) => s.Trim().Replace("\\|", "|", StringComparison.Ordinal).Replace("`", "", StringComparison.Ordinal);
        static string Plain(string s) => s.Replace("`", "", StringComparison.Ordinal);
        var rows = Row().Matches(doc).ToDictionary(m => m.Groups[1].Value, m => (Cause: Cell(m.Groups[3].Value), Fix: Cell(m.Groups[4].Value)));
        var drift = ErrorCodes.All
            .Where(e => !rows.TryGetValue(e.Code, out var row) || row.Cause != Plain(e.Cause) || row.Fix != Plain(e.Fix))
            .Select(e => e.Code)
            .ToList();
        Assert.True(drift.Count == 0, "cause or fix differs from docs/error-codes.md for: " + string.Join(", ", drift));
    }

    [GeneratedRegex(@"^\| `([A-Z_]+)` \| ((?:[^|\\]|\\\|)+) \| ((?:[^|\\]|\\\|)+) \| ((?:[^|\\]|\\\|)+) \| (yes|no) \|", RegexOptions.Multiline)]
    private static partial Regex Row();
}
