using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Junipeer.Functions.Hosting;

public static class Telemetry
{
    /// <summary>
    /// Application Insights for the worker (Entra-only ingestion via
    /// APPLICATIONINSIGHTS_AUTHENTICATION_STRING in Azure). Logging scopes — CorrelationId,
    /// IntegrationId, OrderNumber — become custom dimensions on every log line of an order's
    /// processing. The SDK's default Warning-only filter is removed so Information logs arrive.
    /// </summary>
    public static IHostApplicationBuilder AddJunipeerTelemetry(this IHostApplicationBuilder builder)
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"]))
        {
            return builder;
        }

        builder.Services.AddApplicationInsightsTelemetryWorkerService();
        builder.Services.ConfigureFunctionsApplicationInsights();
        builder.Services.Configure<LoggerFilterOptions>(options =>
        {
            var rule = options.Rules.FirstOrDefault(r =>
                r.ProviderName == "Microsoft.Extensions.Logging.ApplicationInsights.ApplicationInsightsLoggerProvider");
            if (rule is not null)
            {
                options.Rules.Remove(rule);
            }
        });
        return builder;
    }
}
