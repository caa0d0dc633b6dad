using Flurl.Http.Configuration;
using Junipeer.Connectors.Centra;
using Junipeer.Core.Shop;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

public static class CentraServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Centra connector (singletons): IShopOrderSource and the webhook verifier. The
    /// host registers TimeProvider, ILogger&lt;&gt;, IOptions&lt;JunipeerOptions&gt; and ISecretResolver.
    /// </summary>
    public static IServiceCollection AddCentraConnector(this IServiceCollection services)
    {
        services.TryAddSingleton<IFlurlClientCache, FlurlClientCache>();
        services.TryAddSingleton<CentraGraphQlClient>();
        services.TryAddSingleton<CentraOrderSource>();
        services.TryAddSingleton<IShopOrderSource>(sp => sp.GetRequiredService<CentraOrderSource>());
        services.TryAddSingleton<CentraWebhookVerifier>();
        services.TryAddSingleton<CentraCatalogue>();
        services.TryAddSingleton<IShopCatalogue>(sp => sp.GetRequiredService<CentraCatalogue>());
        services.TryAddSingleton<CentraShipments>();
        services.TryAddSingleton<Junipeer.Core.Shipments.IShopShipments>(sp => sp.GetRequiredService<CentraShipments>());
        services.TryAddSingleton<CentraCustomers>();
        services.TryAddSingleton<Junipeer.Core.Customers.IShopCustomers>(sp => sp.GetRequiredService<CentraCustomers>());
        services.TryAddSingleton<CentraProducts>();
        services.TryAddSingleton<Junipeer.Core.Products.IShopProducts>(sp => sp.GetRequiredService<CentraProducts>());
        return services;
    }
}
