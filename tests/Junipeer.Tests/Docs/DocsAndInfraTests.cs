using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Junipeer.Cli.Azurite;
using Junipeer.Core;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Core.Options;
using Junipeer.Functions.Orders;
using Junipeer.Storage;

namespace Junipeer.Tests.Docs;

/// <summary>Keeps the code, docs/ and infra/ from drifting apart.</summary>
public partial class DocsAndInfraTests
{
    private static readonly string Root = AzuriteRunner.RepositoryRoot();

    private static string Read(string relative) => File.ReadAllText(Path.Combine(Root, relative));

    /// <summary>Every leaf of JunipeerOptions as an app setting name (Junipeer__Section__Name).</summary>
    public static IEnumerable<string> OptionSettings()
    {
        static IEnumerable<string> Walk(Type t, string prefix) =>
            t.GetProperties(BindingFlags.Public | BindingFlags.Instance).SelectMany(p =>
                p.PropertyType.IsClass && p.PropertyType != typeof(string)
                    ? Walk(p.PropertyType, $"{prefix}__{p.Name}")
                    : [$"{prefix}__{p.Name}"]);
        return Walk(typeof(JunipeerOptions), JunipeerOptions.Section);
    }

    /// <summary>Everything the deployed code reads: options, trigger settings, storage and telemetry.</summary>
    private static HashSet<string> SettingsTheCodeReads() =>
    [
        .. OptionSettings(),
        // Every timer trigger's %Schedule% setting, read from the [TimerTrigger] attributes.
        .. Junipeer.Cli.LocalHost.FunctionCatalog.TimerSettingNames(typeof(OrderSweepFunction).Assembly),
        $"{StorageClients.ConnectionName}__credential",
        $"{StorageClients.ConnectionName}__clientId",
        $"{StorageClients.ConnectionName}__tableServiceUri",
        $"{StorageClients.ConnectionName}__queueServiceUri",
        $"{StorageClients.ConnectionName}__blobServiceUri", // the Functions host (leases, timer monitor)
        "APPLICATIONINSIGHTS_CONNECTION_STRING",
        "APPLICATIONINSIGHTS_AUTHENTICATION_STRING", // read by the App Insights SDK
        "Secrets__*",
    ];

    [Fact]
    public void Bicep_declares_exactly_the_app_settings_the_code_binds()
    {
        var declared = JsonSerializer.Deserialize<string[]>(Read("infra/app-settings.json"))!.ToHashSet();
        var read = SettingsTheCodeReads();
        Assert.Empty(read.Except(declared));
        Assert.Empty(declared.Except(read));
        Assert.Contains("Junipeer__Orders__MaxInProcessWaitSeconds", declared);
    }

    [Fact]
    public void Every_deployment_setting_is_documented()
    {
        var doc = Read("docs/configuration.md");
        foreach (var setting in SettingsTheCodeReads().Where(s => s != "Secrets__*"))
        {
            var parts = setting.Split("__");
            Assert.True(doc.Contains(setting, StringComparison.Ordinal) || doc.Contains($"__{parts[^1]}", StringComparison.Ordinal),
                $"{setting} is not documented in docs/configuration.md");
        }
    }

    [Fact]
    public void Every_integration_setting_is_documented()
    {
        var doc = Read("docs/configuration.md");
        static IEnumerable<string> Names(Type t, HashSet<Type> seen) =>
            !seen.Add(t) ? [] : t.GetProperties(BindingFlags.Public | BindingFlags.Instance).SelectMany(p =>
            {
                var inner = p.PropertyType.IsGenericType ? p.PropertyType.GetGenericArguments().Last() : p.PropertyType;
                var own = new[] { JsonNamingPolicy.CamelCase.ConvertName(p.Name) };
                return inner.Namespace == typeof(Integration).Namespace && inner.IsClass ? own.Concat(Names(inner, seen)) : own;
            });
        foreach (var name in Names(typeof(Integration), []).Distinct())
        {
            Assert.True(doc.Contains($"`{name}`", StringComparison.Ordinal) || doc.Contains($".{name}`", StringComparison.Ordinal) || doc.Contains($".{name},", StringComparison.Ordinal),
                $"integration setting '{name}' is not documented in docs/configuration.md");
        }
    }

    [Fact]
    public void The_example_integration_file_is_valid()
    {
        var integration = JsonSerializer.Deserialize<Integration>(Read("docs/examples/integration.json"), JunipeerJson.Options)!;
        Assert.Empty(IntegrationValidator.Problems(integration));
        Assert.Equal("acme-se", integration.Id);
        Assert.Equal(3, integration.Vat.Countries.Count);
    }

    [Fact]
    public void Invalid_integration_settings_are_rejected_with_every_problem_named()
    {
        var good = JsonSerializer.Deserialize<Integration>(Read("docs/examples/integration.json"), JunipeerJson.Options)!;
        var bad = good with
        {
            Id = "Bad_Id",
            Erp = good.Erp with { VismaNet = good.Erp.VismaNet! with { CompanyTenantId = "not-a-guid", ClientSecretName = "has-hyphens" } },
            Vat = good.Vat with { Countries = new Dictionary<string, VatMapping> { ["de"] = good.Vat.Countries["DE"] with { VatCategoryByRate = new Dictionary<string, string> { ["19.0"] = "DE19" } } } },
        };
        var ex = Assert.Throws<JunipeerException>(() => IntegrationValidator.EnsureValid(bad));
        Assert.Equal(ErrorCodes.IntegrationSettingsInvalid, ex.Code);
        foreach (var expected in new[] { "Id 'Bad_Id'", "CompanyTenantId", "has-hyphens", "'de'", "'19.0'" })
        {
            Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Error_code_docs_match_the_catalogue()
    {
        var rows = RowPattern().Matches(Read("docs/error-codes.md")).Select(m => (Code: m.Groups[1].Value, Message: m.Groups[2].Value.Trim())).ToList();
        Assert.Equal(ErrorCodes.All.Select(e => e.Code), rows.Select(r => r.Code));
        foreach (var (code, message) in rows)
        {
            Assert.Equal(ErrorCodes.Get(code).Message.Replace("|", "\\|", StringComparison.Ordinal), message);
        }
    }

    [Fact]
    public void Every_error_code_is_provoked_by_some_test()
    {
        var self = Path.Combine("Docs", "DocsAndInfraTests.cs");
        var sources = Directory.GetFiles(Path.Combine(Root, "tests"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(self, StringComparison.Ordinal) && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(File.ReadAllText)
            .ToList();
        var constants = typeof(ErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral)
            .ToDictionary(f => (string)f.GetRawConstantValue()!, f => f.Name);
        foreach (var e in ErrorCodes.All)
        {
            var name = constants[e.Code];
            Assert.True(sources.Any(s => s.Contains($"ErrorCodes.{name}", StringComparison.Ordinal) || s.Contains($"\"{e.Code}\"", StringComparison.Ordinal)),
                $"{e.Code} is not asserted by any test");
        }
    }

    [GeneratedRegex(@"^\| `([A-Z_]+)` \| ((?:[^|\\]|\\\|)+) \|", RegexOptions.Multiline)]
    private static partial Regex RowPattern();
}
