using Flurl.Http.Configuration;
using Junipeer.Connectors.Payments.Stripe;
using Junipeer.Core.Payouts;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

public static class PaymentsServiceCollectionExtensions
{
    /// <summary>Registers the PSP payout sources (Stripe; Klarna and Adyen add theirs here). The host registers TimeProvider, ILogger&lt;&gt;, options and ISecretResolver.</summary>
    public static IServiceCollection AddPaymentsConnectors(this IServiceCollection services)
    {
        services.TryAddSingleton<IFlurlClientCache, FlurlClientCache>();
        services.TryAddSingleton<StripePayoutSource>();
        services.AddSingleton<IPayoutSource>(sp => sp.GetRequiredService<StripePayoutSource>());
        return services;
    }
}
