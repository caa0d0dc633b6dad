using System.Text.Json;
using Junipeer.Cli.Azurite;
using Junipeer.Core.Sync;
using Junipeer.Storage;
using Junipeer.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace Junipeer.Tests.Cli;

/// <summary>`status` and `replay` as an operator scripts them: --json, exit codes, odd characters in keys.</summary>
public class StatusCommandTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Status_json_and_table_survive_markup_characters_and_exit_1_on_failed_orders_2_on_unknown_integration()
    {
        var ct = TestContext.Current.CancellationToken;
        var prefix = "st" + Guid.NewGuid().ToString("N")[..8];
        var dir = Directory.CreateTempSubdirectory("junipeer-status-").FullName;
        var env = new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString, ["Junipeer__Storage__Prefix"] = prefix };
        var clients = new StorageClients(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Junipeer:Storage:Prefix"] = prefix,
        }).Build());

        await using (var add = CliProcess.Shell($"{CliProcess.CliCommand} integration add --json --no-secret-check --file {Path.Combine(AzuriteRunner.RepositoryRoot(), "docs", "examples", "integration.json")}", dir, env))
        {
            Assert.Equal(0, await add.WaitAsync(TimeSpan.FromSeconds(60)));
            Assert.Equal("acme-se", JsonDocument.Parse(add.StdOut).RootElement.GetProperty("saved").GetString());
        }

        var ledger = new TableLedger(clients);
        var key = new LedgerKey("acme-se", Flows.Orders, "A[1]");
        await ledger.SaveAsync(new LedgerEntry { Key = key, Status = LedgerStatus.Failed, Phase = "[bold]x", ErrorCode = "SOME_CODE[", ErrorMessage = "bad [red]markup[/", LeaseOwner = null, LeaseUntil = null }, ct);

        await using (var human = CliProcess.Shell($"{CliProcess.CliCommand} status --integration acme-se", dir, env))
        {
            Assert.Equal(1, await human.WaitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("A[1]", human.StdOut, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", human.StdErr, StringComparison.Ordinal);
        }

        await using (var json = CliProcess.Shell($"{CliProcess.CliCommand} status --integration acme-se --json", dir, env))
        {
            Assert.Equal(1, await json.WaitAsync(TimeSpan.FromSeconds(60)));
            using var doc = JsonDocument.Parse(json.StdOut);
            Assert.Equal(1, doc.RootElement.GetProperty("failed").GetInt32());
            var order = Assert.Single(doc.RootElement.GetProperty("orders").EnumerateArray());
            Assert.Equal("A[1]", order.GetProperty("order").GetString());
            Assert.Equal("SOME_CODE[", order.GetProperty("errorCode").GetString());
            Assert.Equal(prefix, doc.RootElement.GetProperty("storage").GetProperty("prefix").GetString());
        }

        await using (var unknown = CliProcess.Shell($"{CliProcess.CliCommand} status --integration nope --json", dir, env))
        {
            Assert.Equal(2, await unknown.WaitAsync(TimeSpan.FromSeconds(60)));
            Assert.Equal("INTEGRATION_NOT_FOUND", JsonDocument.Parse(unknown.StdOut).RootElement.GetProperty("error").GetProperty("code").GetString());
        }

        await using (var replay = CliProcess.Shell($"{CliProcess.CliCommand} replay --integration acme-se --order 1001 --json", dir, env))
        {
            Assert.Equal(0, await replay.WaitAsync(TimeSpan.FromSeconds(60)));
            Assert.Equal("1001", JsonDocument.Parse(replay.StdOut).RootElement.GetProperty("enqueued")[0].GetString());
        }

        await using (var broken = CliProcess.Shell($"{CliProcess.CliCommand} integration add --json --file /nonexistent/integration.json", dir, env))
        {
            Assert.Equal(2, await broken.WaitAsync(TimeSpan.FromSeconds(60)));
            Assert.Equal("INTEGRATION_SETTINGS_INVALID", JsonDocument.Parse(broken.StdOut).RootElement.GetProperty("error").GetProperty("code").GetString());
        }
    }
}
