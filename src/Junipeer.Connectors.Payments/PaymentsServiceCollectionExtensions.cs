using Flurl.Http.Configuration;
using Junipeer.Connectors.Payments.Adyen;
using Junipeer.Core.Payouts;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

public static class PaymentsServiceCollectionExtensions
{
    /// <summary>Registers the Adyen payout source (settlement details report). The host registers TimeProvider, ILogger&lt;&gt;, options and ISecretResolver.</summary>
    public static IServiceCollection AddAdyenPayouts(this IServiceCollection services)
    {
        services.TryAddSingleton<IFlurlClientCache, FlurlClientCache>();
        services.TryAddSingleton<AdyenPayoutSource>();
        services.AddSingleton<IPayoutSource>(sp => sp.GetRequiredService<AdyenPayoutSource>());
        return services;
    }
}
