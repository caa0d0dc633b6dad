using System.Text.Json;
using Junipeer.Cli.Azurite;
using Junipeer.Core.Integrations;
using Junipeer.Storage;
using Junipeer.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace Junipeer.Tests.EndToEnd;

/// <summary>The operator commands against Azurite: integration add, replay, status.</summary>
public class CliTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Integration_add_saves_a_valid_file_rejects_a_bad_one_and_replay_enqueues()
    {
        var prefix = "cli" + Guid.NewGuid().ToString("N")[..8];
        var settings = Path.Combine(Path.GetTempPath(), $"{prefix}.local.settings.json");
        await File.WriteAllTextAsync(settings, JsonSerializer.Serialize(new
        {
            IsEncrypted = false,
            Values = new Dictionary<string, string> { ["AzureWebJobsStorage"] = azurite.ConnectionString, ["Junipeer__Storage__Prefix"] = prefix },
        }), TestContext.Current.CancellationToken);
        var example = Path.Combine(AzuriteRunner.RepositoryRoot(), "docs", "examples", "integration.json");

        Assert.Equal(0, await Junipeer.Cli.Program.Main(["integration", "add", "--no-secret-check", "--file", example, "--settings", settings]));
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Junipeer:Storage:Prefix"] = prefix,
        }).Build();
        var clients = new StorageClients(config);
        var saved = await new TableIntegrationStore(clients, config).GetAsync("acme-se", TestContext.Current.CancellationToken);
        Assert.NotNull(saved);
        Assert.Equal("DE19", saved.Vat.Countries["DE"].VatCategoryByRate["19"]);

        var broken = Path.Combine(Path.GetTempPath(), $"{prefix}.broken.json");
        await File.WriteAllTextAsync(broken, "{ \"id\": ", TestContext.Current.CancellationToken);
        Assert.Equal(2, await Junipeer.Cli.Program.Main(["integration", "add", "--no-secret-check", "--file", broken, "--settings", settings]));

        Assert.Equal(0, await Junipeer.Cli.Program.Main(["replay", "--integration", "acme-se", "--order", "1001", "1002", "--settings", settings]));
        var queue = clients.Queue(StorageNames.OrdersQueue);
        var messages = (await queue.PeekMessagesAsync(10, TestContext.Current.CancellationToken)).Value;
        Assert.Equal(["1001", "1002"], messages.Select(m => QueueWorkQueue.TryParse(m.MessageText)!.EntityKey).Order(StringComparer.Ordinal));
        Assert.All(messages, m => Assert.Equal("replay", QueueWorkQueue.TryParse(m.MessageText)!.Reason));

        Assert.Equal(0, await Junipeer.Cli.Program.Main(["status", "--integration", "acme-se", "--settings", settings]));
    }
}
