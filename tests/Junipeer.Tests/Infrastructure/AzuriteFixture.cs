using Junipeer.Cli.Azurite;

[assembly: AssemblyFixture(typeof(Junipeer.Tests.Infrastructure.AzuriteFixture))]

namespace Junipeer.Tests.Infrastructure;

/// <summary>
/// One Azurite for the whole test run, started by the tests themselves (npm package, pinned
/// version) unless JUNIPEER_TEST_STORAGE names a storage connection string to use instead.
/// Tests isolate themselves with a unique storage name prefix and integration id.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteRunner? _runner;

    public string ConnectionString { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        var configured = Environment.GetEnvironmentVariable("JUNIPEER_TEST_STORAGE");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            ConnectionString = configured;
            return;
        }

        _runner = await AzuriteRunner.StartAsync(null, CancellationToken.None);
        ConnectionString = _runner.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        if (_runner is not null)
        {
            await _runner.DisposeAsync();
        }
    }
}
