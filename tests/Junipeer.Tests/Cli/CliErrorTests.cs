using System.Text.Json;
using Junipeer.Cli;
using Junipeer.Core.Errors;
using Junipeer.Tests.Infrastructure;

namespace Junipeer.Tests.Cli;

/// <summary>
/// The CLI's one top-level handler, run as a real process: every failure is <c>CODE: message</c> plus
/// <c>fix: …</c> on stderr and a non-zero exit; no stack trace unless --verbose / JUNIPEER_VERBOSE=1.
/// </summary>
public class CliErrorTests(AzuriteFixture azurite)
{
    private static async Task<CliProcess> RunAsync(string arguments, IReadOnlyDictionary<string, string?> env, string? dir = null)
    {
        var p = CliProcess.Shell($"{CliProcess.CliCommand} {arguments}", dir ?? Directory.CreateTempSubdirectory("junipeer-err-").FullName, env);
        await p.WaitAsync(TimeSpan.FromSeconds(90));
        return p;
    }

    /// <summary>The shape every failure has: the first stderr line that starts with the code, then its fix; no stack frames.</summary>
    private static void AssertShape(CliProcess p, string code, int exit, bool stackTrace = false)
    {
        Assert.True(exit == p.ExitCode, $"exit {p.ExitCode}, expected {exit}. stdout:\n{p.StdOut}\nstderr:\n{p.StdErr}");
        var lines = p.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var at = Array.FindIndex(lines, l => l.StartsWith(code + ": ", StringComparison.Ordinal));
        Assert.True(at >= 0, $"no '{code}: ' line in stderr:\n{p.StdErr}");
        Assert.True(lines[at].Length > code.Length + 3, "the message is not empty");
        Assert.Equal("fix: " + ErrorCodes.Get(code).Fix, lines[at + 1]);
        Assert.Equal(stackTrace, p.StdErr.Contains("   at ", StringComparison.Ordinal));
        Assert.DoesNotContain("Unhandled exception", p.StdErr, StringComparison.Ordinal);
    }

    private Dictionary<string, string?> Azurite(string prefix) =>
        new() { ["AzureWebJobsStorage"] = azurite.ConnectionString, ["Junipeer__Storage__Prefix"] = prefix, [CliErrors.VerboseEnvironmentVariable] = null };

    [Fact]
    public async Task Unknown_integration_is_INTEGRATION_NOT_FOUND_with_its_fix_and_exit_2()
    {
        var env = Azurite("ce" + Guid.NewGuid().ToString("N")[..8]);
        await using var status = await RunAsync("status --integration nope", env);
        AssertShape(status, ErrorCodes.IntegrationNotFound, ExitCodes.InvalidInput);

        await using var shadow = await RunAsync("shadow report --integration nope --json", env);
        AssertShape(shadow, ErrorCodes.IntegrationNotFound, ExitCodes.InvalidInput);
        using var doc = JsonDocument.Parse(shadow.StdOut);
        Assert.Equal(ErrorCodes.IntegrationNotFound, doc.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(ErrorCodes.Get(ErrorCodes.IntegrationNotFound).Fix, doc.RootElement.GetProperty("error").GetProperty("fix").GetString());
    }

    [Fact]
    public async Task Bad_storage_connections_are_STORAGE_UNAVAILABLE_with_exit_3_and_a_stack_trace_only_when_verbose()
    {
        // A malformed connection string fails inside the Azure SDK (an exception no command catches): the top-level handler.
        var malformed = new Dictionary<string, string?> { ["AzureWebJobsStorage"] = "AccountName=x;AccountKey=not base64!;Nonsense", [CliErrors.VerboseEnvironmentVariable] = null };
        await using (var p = await RunAsync("integration list", malformed))
            AssertShape(p, ErrorCodes.StorageUnavailable, ExitCodes.StorageUnavailable);
        await using (var p = await RunAsync("integration list --verbose", malformed))
            AssertShape(p, ErrorCodes.StorageUnavailable, ExitCodes.StorageUnavailable, stackTrace: true);
        await using (var p = await RunAsync("integration list", new Dictionary<string, string?>(malformed) { [CliErrors.VerboseEnvironmentVariable] = "1" }))
            AssertShape(p, ErrorCodes.StorageUnavailable, ExitCodes.StorageUnavailable, stackTrace: true);

        // A well-formed one that points where nothing listens.
        var nowhere = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
                                     "TableEndpoint=http://127.0.0.1:9/devstoreaccount1;QueueEndpoint=http://127.0.0.1:9/devstoreaccount1;",
            [CliErrors.VerboseEnvironmentVariable] = null,
        };
        await using (var p = await RunAsync("shadow report --integration acme-se", nowhere))
            AssertShape(p, ErrorCodes.StorageUnavailable, ExitCodes.StorageUnavailable);
    }

    [Fact]
    public async Task Invalid_settings_files_and_arguments_are_refused_with_their_code_and_exit_2()
    {
        var env = Azurite("ce" + Guid.NewGuid().ToString("N")[..8]);
        var dir = Directory.CreateTempSubdirectory("junipeer-err-").FullName;
        var bad = Path.Combine(dir, "bad-integration.json");
        await File.WriteAllTextAsync(bad, "{ \"id\": \"acme-se\", \"erp\": ", TestContext.Current.CancellationToken);
        await using (var p = await RunAsync($"integration add --file {bad}", env, dir))
            AssertShape(p, ErrorCodes.IntegrationSettingsInvalid, ExitCodes.InvalidInput);

        // Parses, but the validator refuses it (every problem named in the one message).
        var invalid = Path.Combine(dir, "invalid-integration.json");
        var example = await File.ReadAllTextAsync(Path.Combine(Junipeer.Cli.Azurite.AzuriteRunner.RepositoryRoot(), "docs", "examples", "integration.json"), TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(invalid, example.Replace("\"acme-se\"", "\"Bad_Id\"", StringComparison.Ordinal), TestContext.Current.CancellationToken);
        await using (var p = await RunAsync($"integration add --file {invalid}", env, dir))
        {
            AssertShape(p, ErrorCodes.IntegrationSettingsInvalid, ExitCodes.InvalidInput);
            Assert.Contains("Id 'Bad_Id'", p.StdErr, StringComparison.Ordinal);
        }

        // A broken local.settings.json (the CLI's own settings file).
        var settingsDir = Directory.CreateTempSubdirectory("junipeer-err-").FullName;
        await File.WriteAllTextAsync(Path.Combine(settingsDir, "local.settings.json"), "{ \"Values\": { \"AzureWebJobsStorage\": ", TestContext.Current.CancellationToken);
        await using (var p = await RunAsync("integration list", new Dictionary<string, string?> { ["AzureWebJobsStorage"] = null, [CliErrors.VerboseEnvironmentVariable] = null }, settingsDir))
            AssertShape(p, ErrorCodes.DeploymentSettingsInvalid, ExitCodes.InvalidInput);

        // Misspelled option, missing required option, unknown command.
        await using (var p = await RunAsync("status --integraton acme-se", env, dir))
        {
            AssertShape(p, ErrorCodes.CliArgumentsInvalid, ExitCodes.InvalidInput);
            Assert.Contains("--integraton", p.StdErr, StringComparison.Ordinal);
        }

        await using (var p = await RunAsync("shadow report --json", env, dir))
        {
            AssertShape(p, ErrorCodes.CliArgumentsInvalid, ExitCodes.InvalidInput);
            Assert.Equal(ErrorCodes.CliArgumentsInvalid, JsonDocument.Parse(p.StdOut).RootElement.GetProperty("error").GetProperty("code").GetString());
        }

        await using (var p = await RunAsync("shadwo report", env, dir))
            AssertShape(p, ErrorCodes.CliArgumentsInvalid, ExitCodes.InvalidInput);
    }

    [Fact]
    public void Unexpected_exceptions_are_CLI_UNEXPECTED_ERROR_with_exit_70_and_no_stack_trace_in_the_message()
    {
        var f = CliErrors.Classify(new InvalidCastException("boom\n   at Somewhere.Deep()"));
        Assert.Equal((CliErrors.UnexpectedExit, ErrorCodes.CliUnexpectedError, "InvalidCastException: boom"), (f.Exit, f.Code, f.Message));
        Assert.Equal(ExitCodes.InvalidInput, CliErrors.Classify(new AggregateException(new JunipeerException(ErrorCodes.IntegrationNotFound, "x"))).Exit);
        Assert.Equal(ErrorCodes.DeploymentSettingsInvalid, CliErrors.Classify(new Microsoft.Extensions.Options.OptionsValidationException("o", typeof(object), ["Orders:LeaseSeconds out of range"])).Code);
        Assert.Equal(ExitCodes.StorageUnavailable, CliErrors.Classify(new HttpRequestException("refused")).Exit);
    }
}
