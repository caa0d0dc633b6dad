using Junipeer.Connectors.Centra;
using Junipeer.Connectors.VismaNet;
using Junipeer.Core.Erp;
using Junipeer.Core.Integrations;
using Junipeer.Core.Shop;
using Junipeer.Core.Sync;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using static Junipeer.Tests.Connectors.ConnectorTestSupport;

namespace Junipeer.Tests.Connectors;

public class ConnectorRegistrationTests
{
    [Fact]
    public void Both_connectors_resolve_as_singletons_from_host_services()
    {
        var services = new ServiceCollection();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(Options()));
        services.AddSingleton<ISecretResolver>(Secrets());
        services.AddSingleton<ITokenStore>(new InMemoryTokenStore());

        services.AddVismaNetConnector().AddCentraConnector();
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var resolver = provider.GetRequiredService<IErpResolver>();
        Assert.IsType<VismaNetErp>(resolver.For(Integration()));
        Assert.Same(provider.GetRequiredService<VismaNetErp>(), resolver.For(Integration()));
        Assert.IsType<CentraOrderSource>(provider.GetRequiredService<IShopOrderSource>());
        Assert.Same(provider.GetRequiredService<IShopOrderSource>(), provider.GetRequiredService<IShopOrderSource>());
        Assert.NotNull(provider.GetRequiredService<CentraWebhookVerifier>());
    }
}
