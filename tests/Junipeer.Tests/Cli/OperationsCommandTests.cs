using System.Text.Json;
using Junipeer.Cli.Azurite;
using Junipeer.Core.Errors;
using Junipeer.Core.Sync;
using Junipeer.Storage;
using Junipeer.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace Junipeer.Tests.Cli;

/// <summary>The operations commands as scripts use them: --json, exit codes, the fix per failure, plain lines when piped.</summary>
public class OperationsCommandTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Status_retry_replay_events_and_poison_replay_have_json_exit_codes_and_the_fix_per_failure()
    {
        var ct = TestContext.Current.CancellationToken;
        var prefix = "op" + Guid.NewGuid().ToString("N")[..8];
        var dir = Directory.CreateTempSubdirectory("junipeer-ops-").FullName;
        var env = new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString, ["Junipeer__Storage__Prefix"] = prefix };
        var clients = new StorageClients(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Junipeer:Storage:Prefix"] = prefix,
        }).Build());

        async Task<(int Exit, string Out, string Err)> Run(string args)
        {
            await using var p = CliProcess.Shell($"{CliProcess.CliCommand} {args}", dir, env);
            var exit = await p.WaitAsync(TimeSpan.FromSeconds(90));
            return (exit, p.StdOut, p.StdErr);
        }

        Assert.Equal(0, (await Run($"integration add --json --no-secret-check --file {Path.Combine(AzuriteRunner.RepositoryRoot(), "docs", "examples", "integration.json")}")).Exit);
        var ledger = new TableLedger(clients);
        var now = DateTimeOffset.UtcNow;
        await ledger.SaveAsync(new LedgerEntry { Key = new LedgerKey("acme-se", Flows.Orders, "9001"), Status = LedgerStatus.Failed, ErrorCode = ErrorCodes.OssCountryTaxMappingMissing, ErrorMessage = "No OSS mapping for IT", UpdatedAt = now }, ct);
        await ledger.SaveAsync(new LedgerEntry { Key = new LedgerKey("acme-se", Flows.Orders, "9002"), Status = LedgerStatus.Failed, ErrorCode = ErrorCodes.PoisonMessage, ErrorMessage = "Retries exhausted", UpdatedAt = now }, ct);
        await ledger.SaveAsync(new LedgerEntry { Key = new LedgerKey("acme-se", Flows.Orders, "9003"), Status = LedgerStatus.Done, UpdatedAt = now }, ct);
        await new TableEventLog(clients).AppendAsync(new OperatorEvent { IntegrationId = "acme-se", Flow = Flows.Orders, EntityKey = "9001", Severity = EventSeverity.Error, Message = "failed", ErrorCode = ErrorCodes.OssCountryTaxMappingMissing, At = now }, ct);

        // status --failed --code: piped, so plain lines (no table borders, no wrapping), the fix per failure, exit 1.
        var status = await Run($"status --integration acme-se --failed --code {ErrorCodes.OssCountryTaxMappingMissing}");
        Assert.Equal(1, status.Exit);
        Assert.Contains($"{ErrorCodes.OssCountryTaxMappingMissing}\torders\t9001\tNo OSS mapping for IT", status.Out, StringComparison.Ordinal);
        Assert.Contains("  fix: " + ErrorCodes.Get(ErrorCodes.OssCountryTaxMappingMissing).Fix, status.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("9002", status.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("│", status.Out, StringComparison.Ordinal);
        var statusJson = await Run("status --integration acme-se --failed --json");
        Assert.Equal(1, statusJson.Exit);
        var failures = JsonDocument.Parse(statusJson.Out).RootElement.GetProperty("failures").EnumerateArray().ToList();
        Assert.Equal(2, failures.Count);
        Assert.Equal(ErrorCodes.Get(ErrorCodes.OssCountryTaxMappingMissing).Fix, failures.Single(f => f.GetProperty("entity").GetString() == "9001").GetProperty("fix").GetString());
        Assert.Equal(2, (await Run("status --integration acme-se --code NOT_A_CODE")).Exit);
        Assert.Equal(2, (await Run("status --integration no-such-one --failed")).Exit);

        var retry = await Run("retry --integration acme-se --flow orders --key 9001 --json");
        Assert.Equal(0, retry.Exit);
        Assert.True(JsonDocument.Parse(retry.Out).RootElement.GetProperty("enqueued").GetBoolean());
        var missing = await Run("retry --integration acme-se --key 424242 --json");
        Assert.Equal(2, missing.Exit);
        Assert.Equal(ErrorCodes.LedgerEntityNotFound, JsonDocument.Parse(missing.Out).RootElement.GetProperty("error").GetProperty("code").GetString());

        var events = await Run("events --integration acme-se --failed --json");
        Assert.Equal(1, events.Exit);
        Assert.Equal("9001", Assert.Single(JsonDocument.Parse(events.Out).RootElement.GetProperty("events").EnumerateArray()).GetProperty("entity").GetString());

        var poison = await Run("replay-poison --integration acme-se --json");
        Assert.Equal(0, poison.Exit);
        Assert.Equal(1, JsonDocument.Parse(poison.Out).RootElement.GetProperty("fromLedger").GetInt32());

        var bulk = await Run($"replay --integration acme-se --failed --code {ErrorCodes.PoisonMessage} --json");
        Assert.Equal(0, bulk.Exit);
        Assert.Equal(["9002"], JsonDocument.Parse(bulk.Out).RootElement.GetProperty("enqueued").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(2, (await Run("replay --integration acme-se --json")).Exit); // neither --order nor --failed
        Assert.Equal(2, (await Run("replay --integration nope --failed --json")).Exit);

        var backfill = await Run("backfill --integration acme-se --from yesterday --json");
        Assert.Equal(2, backfill.Exit);
        Assert.Equal(ErrorCodes.OperationRequestInvalid, JsonDocument.Parse(backfill.Out).RootElement.GetProperty("error").GetProperty("code").GetString());
    }
}
