using System.Text.Json;
using System.Text.RegularExpressions;
using Junipeer.Cli.Azurite;

namespace Junipeer.Tests.Cli;

/// <summary>
/// README "Running locally", run as written, each line a real process: the only substitution is
/// <c>dotnet run --project src/Junipeer.Cli --</c> → the CLI this test run already built (same
/// project, no second build). Azurite's ports come from JUNIPEER_AZURITE_PORT and the HTTP port from
/// JUNIPEER_HTTP_PORT so a developer's Azurite on 10000 or func on 7071 is never touched.
/// </summary>
public partial class RunningLocallyTests
{
    private const string DotnetRun = "dotnet run --project src/Junipeer.Cli --";

    [GeneratedRegex(@"## Running locally.*?```bash\n(?<block>.*?)```", RegexOptions.Singleline)]
    private static partial Regex RunningLocallyBlock();

    private static List<string> ReadmeLines()
    {
        var readme = File.ReadAllText(Path.Combine(AzuriteRunner.RepositoryRoot(), "README.md"));
        var block = RunningLocallyBlock().Match(readme);
        Assert.True(block.Success, "README has a ```bash block under ## Running locally");
        return [.. block.Groups["block"].Value.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))];
    }

    private static (string Dir, Dictionary<string, string?> Env, int AzuritePort) Workspace()
    {
        var dir = Directory.CreateTempSubdirectory("junipeer-readme-").FullName;
        var root = AzuriteRunner.RepositoryRoot();
        File.Copy(Path.Combine(root, "local.settings.sample.json"), Path.Combine(dir, "local.settings.sample.json"));
        Directory.CreateDirectory(Path.Combine(dir, "docs", "examples"));
        File.Copy(Path.Combine(root, "docs", "examples", "integration.json"), Path.Combine(dir, "docs", "examples", "integration.json"));
        var azuritePort = CliProcess.FreePortTriple();
        var env = new Dictionary<string, string?>
        {
            [AzuriteStartOptions.PortEnvironmentVariable] = azuritePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [Junipeer.Cli.Program.HttpPortEnvironmentVariable] = AzuriteRunner.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["AzureWebJobsStorage"] = null, // a developer's environment must not redirect the test
            ["Junipeer__Storage__Prefix"] = null,
        };
        return (dir, env, azuritePort);
    }

    private static string Literal(string line) => line.Replace(DotnetRun, CliProcess.CliCommand, StringComparison.Ordinal);

    [Fact]
    public async Task Readme_steps_work_as_written_and_SIGTERM_stops_run_and_its_Azurite_with_data_kept_on_disk()
    {
        var lines = ReadmeLines();
        Assert.Contains(lines, l => l.StartsWith("cp local.settings.sample.json local.settings.json", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains($"{DotnetRun} run", StringComparison.Ordinal));
        var (dir, env, azuritePort) = Workspace();
        var queuePort = (azuritePort + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);

        CliProcess? run = null;
        try
        {
            foreach (var line in lines)
            {
                if (Regex.IsMatch(line, @"-- run(\s|$)"))
                {
                    run = CliProcess.Shell(Literal(line), dir, env);
                    await run.WaitForOutputAsync("Local host running", TimeSpan.FromSeconds(120));
                    Assert.Contains($"127.0.0.1:{queuePort}", run.StdErr, StringComparison.Ordinal); // prints where storage is
                    Assert.Contains("AzureWebJobsStorage=DefaultEndpointsProtocol=http;AccountName=devstoreaccount1", run.StdErr, StringComparison.Ordinal);
                    continue;
                }

                await using var step = CliProcess.Shell(Literal(line), dir, env);
                var exit = await step.WaitAsync(TimeSpan.FromSeconds(90));
                Assert.True(exit == 0, $"README line failed ({exit}): {line}\nstdout:\n{step.StdOut}\nstderr:\n{step.StdErr}");
                if (line.Contains(DotnetRun, StringComparison.Ordinal))
                {
                    // Every command names the storage it talks to (account and endpoint, never the key).
                    Assert.Contains($"storage: account devstoreaccount1, queues http://127.0.0.1:{queuePort}/devstoreaccount1", step.StdErr, StringComparison.Ordinal);
                    Assert.DoesNotContain("AccountKey", step.StdErr + step.StdOut, StringComparison.Ordinal);
                }
            }

            Assert.NotNull(run);
            await using (var status = CliProcess.Shell($"{CliProcess.CliCommand} status --integration acme-se --json", dir, env))
            {
                Assert.Equal(0, await status.WaitAsync(TimeSpan.FromSeconds(90)));
                using var json = JsonDocument.Parse(status.StdOut);
                Assert.Equal("acme-se", json.RootElement.GetProperty("integration").GetString());
                Assert.Equal("devstoreaccount1", json.RootElement.GetProperty("storage").GetProperty("account").GetString());
                Assert.Equal(0, json.RootElement.GetProperty("failed").GetInt32());
            }

            var azurites = CliProcess.ProcessesWith("azurite", "--queuePort", queuePort);
            Assert.Single(azurites);

            // SIGTERM: run stops its host and its Azurite within seconds.
            var sw = System.Diagnostics.Stopwatch.StartNew();
            run.Signal("TERM");
            Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(20)));
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(20), $"stopping took {sw.Elapsed}");
            await Infrastructure.Eventually.TrueAsync(() => CliProcess.ProcessesWith("azurite", "--queuePort", queuePort).Count == 0, TimeSpan.FromSeconds(5));
            Assert.False(await AzuriteRunner.IsListeningAsync(azuritePort + 1));
            Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(dir, ".junipeer", "azurite"), "*", SearchOption.AllDirectories));
            await run.DisposeAsync();

            // Started again, run finds the integration on disk; Ctrl+C (SIGINT) stops it too.
            run = CliProcess.Shell($"{CliProcess.CliCommand} run", dir, env);
            await run.WaitForOutputAsync("Local host running", TimeSpan.FromSeconds(120));
            await using (var list = CliProcess.Shell($"{CliProcess.CliCommand} integration list --json", dir, env))
            {
                Assert.Equal(0, await list.WaitAsync(TimeSpan.FromSeconds(90)));
                using var json = JsonDocument.Parse(list.StdOut);
                Assert.Contains(json.RootElement.GetProperty("integrations").EnumerateArray(), i => i.GetProperty("id").GetString() == "acme-se");
            }

            run.Signal("INT");
            Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(20)));
            await Infrastructure.Eventually.TrueAsync(() => CliProcess.ProcessesWith("azurite", "--queuePort", queuePort).Count == 0, TimeSpan.FromSeconds(5));
        }
        finally
        {
            if (run is not null)
            {
                await run.DisposeAsync();
            }

            foreach (var pid in CliProcess.ProcessesWith("azurite", "--queuePort", queuePort))
            {
                System.Diagnostics.Process.GetProcessById(pid).Kill();
            }
        }
    }

    [Fact]
    public async Task Run_refuses_inconsistent_deployment_settings_with_their_code_and_exit_2()
    {
        var (dir, env, _) = Workspace();
        env["Junipeer__Orders__LeaseSeconds"] = "20"; // shorter than 2 × 30 s write timeout + 4 × 10 s + 10 s
        await using var run = CliProcess.Shell($"{CliProcess.CliCommand} run --no-timers", dir, env);

        Assert.Equal(2, await run.WaitAsync(TimeSpan.FromSeconds(120)));
        Assert.Contains("DEPLOYMENT_SETTINGS_INVALID", run.StdErr + run.StdOut, StringComparison.Ordinal);
        Assert.Contains("LeaseSeconds", run.StdErr + run.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.StdErr + run.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Environment_wins_over_a_stray_local_settings_json_and_unreachable_storage_is_exit_3_without_a_stack_trace()
    {
        var (dir, env, azuritePort) = Workspace();

        // The stray file points at storage that is not there; the environment names a port triple where nothing listens either,
        // so the command must report the environment's endpoint (and fail cleanly with exit 3).
        await File.WriteAllTextAsync(Path.Combine(dir, "local.settings.json"),
            """{ "Values": { "AzureWebJobsStorage": "DefaultEndpointsProtocol=http;AccountName=strayaccount;AccountKey=c3RyYXk=;QueueEndpoint=http://127.0.0.1:1/strayaccount;TableEndpoint=http://127.0.0.1:1/strayaccount;" } }""",
            TestContext.Current.CancellationToken);
        env["AzureWebJobsStorage"] = AzuriteRunner.DevConnectionString(azuritePort, azuritePort + 1, azuritePort + 2);
        await using var list = CliProcess.Shell($"{CliProcess.CliCommand} integration list --json", dir, env);
        Assert.Equal(3, await list.WaitAsync(TimeSpan.FromSeconds(120)));
        Assert.Contains($"queues http://127.0.0.1:{azuritePort + 1}/devstoreaccount1", list.StdErr, StringComparison.Ordinal);
        Assert.Contains("(from environment)", list.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("strayaccount", list.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", list.StdErr + list.StdOut, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(list.StdOut);
        Assert.Equal("STORAGE_UNAVAILABLE", json.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("devstoreaccount1", json.RootElement.GetProperty("storage").GetProperty("account").GetString());
    }
}
