using Flurl.Http.Configuration;
using Junipeer.Connectors.VismaNet;
using Junipeer.Core.Erp;
using Junipeer.Core.Security;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

public static class VismaNetServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Visma.net connector (singletons). The host registers TimeProvider, ILogger&lt;&gt;,
    /// IOptions&lt;JunipeerOptions&gt;, ISecretResolver and ITokenStore.
    /// </summary>
    public static IServiceCollection AddVismaNetConnector(this IServiceCollection services)
    {
        services.TryAddSingleton<IFlurlClientCache, FlurlClientCache>();
        services.TryAddSingleton<TokenProtector>();
        services.TryAddSingleton<VismaConnectTokenProvider>();
        services.TryAddSingleton<VismaNetErp>();
        services.TryAddSingleton<VismaConnectInteractive>();
        if (!services.Any(d => d.ServiceType == typeof(Junipeer.Core.Connect.IOAuthConnector) && d.ImplementationFactory?.Method.DeclaringType == typeof(VismaNetServiceCollectionExtensions)))
            services.AddSingleton<Junipeer.Core.Connect.IOAuthConnector>(sp => sp.GetRequiredService<VismaConnectInteractive>());
        if (!services.Any(d => d.ServiceType == typeof(IErpAdapter) && d.ImplementationFactory?.Method.DeclaringType == typeof(VismaNetServiceCollectionExtensions)))
            services.AddSingleton<IErpAdapter>(sp => sp.GetRequiredService<VismaNetErp>());
        services.TryAddSingleton<IErpResolver, ErpResolver>();
        services.TryAddSingleton<IErpPreflight>(sp => sp.GetRequiredService<VismaNetErp>());
        services.TryAddSingleton<IErpReferenceData>(sp => sp.GetRequiredService<VismaNetErp>()); // PreflightRunner's VAT reference reads
        if (!services.Any(d => d.ServiceType == typeof(IErpShipments) && d.ImplementationFactory?.Method.DeclaringType == typeof(VismaNetServiceCollectionExtensions)))
            services.AddSingleton<IErpShipments>(sp => sp.GetRequiredService<VismaNetErp>());
        return services;
    }
}
