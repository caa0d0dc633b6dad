using Flurl.Http.Configuration;
using Junipeer.Connectors.NShift;
using Junipeer.Core.Shipments;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

public static class NShiftServiceCollectionExtensions
{
    /// <summary>Registers the nShift connector (ICarrierBooking). The host registers TimeProvider, ILogger&lt;&gt;, options and ISecretResolver.</summary>
    public static IServiceCollection AddNShiftConnector(this IServiceCollection services)
    {
        services.TryAddSingleton<IFlurlClientCache, FlurlClientCache>();
        services.TryAddSingleton<NShiftCarrier>();
        services.TryAddSingleton<ICarrierBooking>(sp => sp.GetRequiredService<NShiftCarrier>());
        return services;
    }
}
