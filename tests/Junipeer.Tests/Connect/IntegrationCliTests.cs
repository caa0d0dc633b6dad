using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Junipeer.Cli.Demo;
using Junipeer.Core;
using Junipeer.Core.Errors;
using Junipeer.Core.Integrations;
using Junipeer.Sandbox;
using Junipeer.Tests.Cli;
using Junipeer.Tests.Infrastructure;

namespace Junipeer.Tests.Connect;

/// <summary>`integration add|show|disable`, `secret set|list` and `preflight` as real processes against Azurite and the Sandbox.</summary>
public class IntegrationCliTests(AzuriteFixture azurite)
{
    private static async Task<CliProcess> Run(string args, string dir, Dictionary<string, string?> env)
    {
        var p = CliProcess.Shell($"{CliProcess.CliCommand} {args}", dir, env);
        await p.WaitAsync(TimeSpan.FromSeconds(120));
        return p;
    }

    private static string Code(CliProcess p) => JsonDocument.Parse(p.StdOut).RootElement.GetProperty("error").GetProperty("code").GetString()!;

    [Fact]
    public async Task Add_refuses_unknown_fields_and_unresolved_secrets_then_show_preflight_and_disable_work()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var sandbox = await SandboxHost.StartAsync(new SandboxOptions { Port = 0 }, ct);
        var tenant = Guid.NewGuid().ToString();
        sandbox.State.Visma.CreateCompany(DemoScenario.Company(tenant));
        var id = "cli-" + Guid.NewGuid().ToString("N")[..8];
        var dir = Directory.CreateTempSubdirectory("junipeer-connect-").FullName;
        var clientSecret = DemoScenario.ClientSecret;
        var env = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Junipeer__Storage__Prefix"] = "cc" + Guid.NewGuid().ToString("N")[..8],
            ["Junipeer__Development__AllowLoopbackHttp"] = "true",
            ["Junipeer__TokenEncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["HOME"] = dir,
            ["JUNIPEER_SECRETS_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["VISMA_SECRET"] = clientSecret,
            ["CENTRA_TOKEN"] = sandbox.Options.CentraToken,
            ["WEBHOOK_SECRET"] = "whsec-" + Guid.NewGuid().ToString("N"),
        };
        var integration = DemoScenario.Integration(sandbox.VismaApiBase, sandbox.VismaTokenUrl, sandbox.CentraGraphQlUrl, id, tenant);
        var file = Path.Combine(dir, "integration.json");

        // A misspelled field is refused with the closest name, not silently ignored.
        var node = JsonSerializer.SerializeToNode(integration, JunipeerJson.Options)!.AsObject();
        var visma = node["erp"]!["vismaNet"]!.AsObject();
        visma["clientSecretNmae"] = visma["clientSecretName"]!.GetValue<string>();
        visma.Remove("clientSecretName");
        await File.WriteAllTextAsync(file, node.ToJsonString(), ct);
        var misspelled = await Run($"integration add --json --file {file}", dir, env);
        Assert.Equal(2, misspelled.ExitCode);
        Assert.Equal(ErrorCodes.IntegrationFieldUnknown, Code(misspelled));
        Assert.Contains("did you mean 'erp.vismaNet.clientSecretName'", misspelled.StdErr, StringComparison.Ordinal); // plain text (JSON escapes the quotes)

        // Secrets that do not resolve are refused.
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(integration, JunipeerJson.Options), ct);
        var unresolved = await Run($"integration add --json --file {file}", dir, env);
        Assert.Equal(2, unresolved.ExitCode);
        Assert.Equal(ErrorCodes.SecretNotConfigured, Code(unresolved));

        // The encrypted local store: set from the environment, list shows names only.
        foreach (var (name, variable) in new[] { (DemoScenario.VismaSecretNameFor(id), "VISMA_SECRET"), (DemoScenario.CentraTokenSecretNameFor(id), "CENTRA_TOKEN"), (DemoScenario.WebhookSecretNameFor(id), "WEBHOOK_SECRET") })
            Assert.Equal(0, (await Run($"secret set {name} --from-env {variable} --json", dir, env)).ExitCode);
        var list = await Run("secret list --json", dir, env);
        Assert.Equal(0, list.ExitCode);
        Assert.Equal(3, JsonDocument.Parse(list.StdOut).RootElement.GetProperty("names").GetArrayLength());
        var storeText = await File.ReadAllTextAsync(Path.Combine(dir, ".junipeer", "secrets.json"), ct);
        foreach (var value in new[] { clientSecret, sandbox.Options.CentraToken, env["WEBHOOK_SECRET"]! })
        {
            Assert.DoesNotContain(value, list.StdOut, StringComparison.Ordinal);
            Assert.DoesNotContain(value, storeText, StringComparison.Ordinal);
        }

        var locked = await Run("secret list --json", dir, new(env) { ["JUNIPEER_SECRETS_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) });
        Assert.Equal(2, locked.ExitCode);
        Assert.Equal(ErrorCodes.SecretStoreLocked, Code(locked));

        // Now add saves and prints the real URLs.
        var add = await Run($"integration add --json --base-url https://junipeer.example --file {file}", dir, env);
        Assert.Equal(0, add.ExitCode);
        using (var doc = JsonDocument.Parse(add.StdOut))
            Assert.Equal($"https://junipeer.example/api/webhooks/centra/{id}", doc.RootElement.GetProperty("urls").GetProperty("centraWebhook").GetString());

        // Preflight against the Sandbox company: Italy is sold to but unmapped → exit 1 with the code.
        var preflight = await Run($"preflight --integration {id} --json", dir, env);
        Assert.Equal(1, preflight.ExitCode);
        using (var doc = JsonDocument.Parse(preflight.StdOut))
        {
            var p = doc.RootElement.GetProperty("preflight");
            Assert.Equal([ErrorCodes.OssCountryTaxMappingMissing], p.GetProperty("codes").EnumerateArray().Select(c => c.GetString()!).ToArray());
            Assert.True(p.GetProperty("passed").GetInt32() > 3);
        }

        Assert.Equal(2, (await Run("preflight --integration no-such --json", dir, env)).ExitCode);

        // show: settings with secret names only, the connection the preflight used, the URLs.
        var show = await Run($"integration show --integration {id} --json", dir, env);
        Assert.Equal(0, show.ExitCode);
        using (var doc = JsonDocument.Parse(show.StdOut))
        {
            // One row per system the integration uses: Visma connected by the preflight's token, Centra not called yet.
            var connections = doc.RootElement.GetProperty("connections").EnumerateArray().ToDictionary(c => c.GetProperty("system").GetString()!);
            Assert.Equal(["centra", "vismanet"], connections.Keys.Order(StringComparer.Ordinal));
            Assert.Equal("Connected", connections["vismanet"].GetProperty("state").GetString());
            Assert.Equal("connected", connections["vismanet"].GetProperty("status").GetString());
            Assert.Equal("erp", connections["vismanet"].GetProperty("role").GetString());
            Assert.Equal("NeverConnected", connections["centra"].GetProperty("state").GetString());
            Assert.Equal("never-connected", connections["centra"].GetProperty("status").GetString());
            Assert.True(doc.RootElement.GetProperty("integration").GetProperty("enabled").GetBoolean());
        }

        foreach (var value in new[] { clientSecret, sandbox.Options.CentraToken, env["WEBHOOK_SECRET"]! })
            Assert.DoesNotContain(value, show.StdOut + show.StdErr + preflight.StdOut + preflight.StdErr + add.StdOut, StringComparison.Ordinal);

        Assert.Equal(0, (await Run($"integration disable --integration {id} --json", dir, env)).ExitCode);
        var after = await Run($"integration show --integration {id} --json", dir, env);
        using (var doc = JsonDocument.Parse(after.StdOut))
        {
            Assert.False(doc.RootElement.GetProperty("integration").GetProperty("enabled").GetBoolean());
            Assert.False(doc.RootElement.GetProperty("integration").GetProperty("orders").GetProperty("enabled").GetBoolean());
        }

        Assert.Equal(2, (await Run("integration show --integration no-such --json", dir, env)).ExitCode);
    }
}
