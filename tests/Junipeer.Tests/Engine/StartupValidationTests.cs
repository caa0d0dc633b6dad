using Junipeer.Functions.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Junipeer.Tests.Engine;

/// <summary>The app refuses to start with invalid deployment settings and names the key.</summary>
public class StartupValidationTests
{
    private static async Task<OptionsValidationException> StartWith(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddJunipeer();
        using var host = builder.Build();
        return await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));
    }

    private static Dictionary<string, string?> Valid() => new()
    {
        ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
        ["Junipeer:TokenEncryptionKey"] = Convert.ToBase64String(new byte[32]),
    };

    [Fact]
    public async Task Missing_token_encryption_key_stops_start_up()
    {
        var settings = Valid();
        settings.Remove("Junipeer:TokenEncryptionKey");
        var ex = await StartWith(settings);
        Assert.Contains("TokenEncryptionKey", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_of_the_wrong_length_stops_start_up()
    {
        var settings = Valid();
        settings["Junipeer:TokenEncryptionKey"] = Convert.ToBase64String(new byte[16]);
        Assert.Contains("32 random bytes", (await StartWith(settings)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Out_of_range_and_malformed_values_are_named()
    {
        var settings = Valid();
        settings["Junipeer:Orders:LeaseSeconds"] = "1";
        settings["Junipeer:VismaNet:ApiBaseUrl"] = "not a url";
        var ex = await StartWith(settings);
        Assert.Contains("Junipeer:Orders:LeaseSeconds", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Junipeer:VismaNet:ApiBaseUrl", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lease_that_a_slow_write_could_outlive_stops_start_up()
    {
        // The fence holds a row for LeaseSeconds: 2 × 60 s timeout + 4 × 10 s waits + 10 s = 170 s must fit.
        var settings = Valid();
        settings["Junipeer:Orders:LeaseSeconds"] = "150";
        settings["Junipeer:VismaNet:TimeoutSeconds"] = "60";
        settings["Junipeer:Orders:MaxInProcessWaitSeconds"] = "10";
        var ex = await StartWith(settings);
        Assert.Contains("Junipeer:Orders:LeaseSeconds (150) must exceed", ex.Message, StringComparison.Ordinal);
        Assert.Contains("(170)", ex.Message, StringComparison.Ordinal);
    }
}
