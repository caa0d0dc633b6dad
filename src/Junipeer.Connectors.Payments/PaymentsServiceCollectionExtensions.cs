using Flurl.Http.Configuration;
using Junipeer.Connectors.Payments.Adyen;
using Junipeer.Connectors.Payments.Klarna;
using Junipeer.Connectors.Payments.Stripe;
using Junipeer.Core.Payouts;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

public static class PaymentsServiceCollectionExtensions
{
    /// <summary>Registers the PSP payout sources (Stripe, Adyen, Klarna). The host registers TimeProvider, ILogger&lt;&gt;, options and ISecretResolver.</summary>
    public static IServiceCollection AddPaymentsConnectors(this IServiceCollection services)
    {
        services.TryAddSingleton<IFlurlClientCache, FlurlClientCache>();
        services.TryAddSingleton<StripePayoutSource>();
        services.AddSingleton<IPayoutSource>(sp => sp.GetRequiredService<StripePayoutSource>());
        services.TryAddSingleton<AdyenPayoutSource>();
        services.AddSingleton<IPayoutSource>(sp => sp.GetRequiredService<AdyenPayoutSource>());
        services.TryAddSingleton<KlarnaPayoutSource>();
        services.AddSingleton<IPayoutSource>(sp => sp.GetRequiredService<KlarnaPayoutSource>());
        return services;
    }
}
