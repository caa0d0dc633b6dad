using Junipeer.Core.Integrations;
using Junipeer.Core.Options;
using Junipeer.Core.Orders;
using Junipeer.Core.Sync;
using Junipeer.Functions.Orders;
using Junipeer.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Junipeer.Functions.Hosting;

/// <summary>
/// The one registration entry point: the Functions app, the local host (<c>junipeer run</c>), the
/// CLI and the tests all call this, so tests exercise the real wiring.
/// </summary>
public static class JunipeerRegistration
{
    public static IHostApplicationBuilder AddJunipeer(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<JunipeerOptions>()
            .Bind(builder.Configuration.GetSection(JunipeerOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<JunipeerOptions>, JunipeerOptionsValidator>();

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ISecretResolver, ConfigurationSecretResolver>();

        // Storage (Table Storage + queues, same connection as the Functions host); the engine reads integrations through a cache
        services.AddSingleton<IIntegrationStore, CachedIntegrationStore>();
        services.AddJunipeerStorage();

        // Connectors
        services.AddVismaNetConnector();
        services.AddCentraConnector();
        services.AddNShiftConnector();
        services.AddPaymentsConnectors();

        // Shared machinery: exactly once, the ERP chosen per integration, the recent-document index
        services.AddSingleton<ExactlyOnce>();
        services.AddSingleton<OperatorAlerts>();
        services.AddSingleton<RecentDocumentIndex>();
        services.TryAddSingleton<Junipeer.Core.Erp.IErpResolver, Junipeer.Core.Erp.ErpResolver>();

        // Flow handlers
        services.AddSingleton<CustomerResolver>();
        services.AddSingleton<OrderSyncHandler>();
        services.AddSingleton<OrderSweepHandler>();
        services.AddSingleton<PoisonHandler>();
        services.AddSingleton<CentraWebhookIntake>();
        services.AddSingleton<Junipeer.Core.Payouts.PayoutMatcher>();
        services.AddSingleton<Junipeer.Core.Payouts.PayoutSyncHandler>();
        services.AddSingleton<Junipeer.Core.Payouts.PayoutSweepHandler>();
        services.AddSingleton<Junipeer.Core.Payouts.BatchPayoutSweep>();
        services.AddSingleton<Junipeer.Core.Refunds.RefundSyncHandler>();
        services.AddSingleton<Junipeer.Core.Refunds.RefundSweepHandler>();
        services.AddSingleton<Junipeer.Functions.Payouts.StripeWebhookIntake>();

        // Catalogue flows: SKU mapping guard, stock (Core/Products, Core/Stock)
        services.AddSingleton<Junipeer.Core.Products.SkuMappingGuard>();
        services.AddSingleton<Junipeer.Core.Products.SkuCatalogue>();
        services.AddSingleton<Junipeer.Core.Stock.StockSyncHandler>();
        services.AddSingleton<Junipeer.Core.Stock.StockHintHandler>();
        services.AddSingleton<Junipeer.Core.Customers.CustomerSyncHandler>();
        services.AddSingleton<Junipeer.Core.Products.ProductSyncHandler>();

        // Shipments flow (ERP shipment → nShift booking → Centra shipment + capture)
        services.AddSingleton<Junipeer.Core.Shipments.ShipmentSyncHandler>();
        services.AddSingleton<Junipeer.Core.Shipments.ShipmentSweepHandler>();
        services.AddSingleton<Junipeer.Functions.Shipments.VismaWebhookIntake>();

        // Shadow mode (Core/Shadow): read-only runs and their records
        services.AddSingleton<Junipeer.Core.Shadow.ShadowOrderSync>();
        services.AddSingleton<Junipeer.Core.Shadow.ShadowPayoutSync>();
        services.AddSingleton<Junipeer.Core.Shadow.ShadowRefundSync>();
        services.AddSingleton<Junipeer.Core.Shadow.ShadowCustomerSync>();
        services.AddSingleton<Junipeer.Core.Shadow.ShadowShipmentSync>();
        services.AddSingleton<Junipeer.Core.Shadow.ShadowProductSync>();
        services.AddSingleton<Junipeer.Core.Shadow.ShadowService>();
        // Connecting systems (interactive OAuth) and preflight (Core/Connect, Core/Preflight)
        services.AddSingleton<Junipeer.Core.Connect.ConnectFlow>();
        services.AddSingleton<Junipeer.Core.Preflight.PreflightRunner>();
        services.AddSingleton<Junipeer.Functions.Payouts.AdyenWebhookIntake>();
        // Operations shared by the operator console and the CLI (Core/Operations)
        services.AddSingleton<Junipeer.Core.Operations.IBackfillSource, Junipeer.Core.Operations.OrderBackfillSource>();
        services.AddSingleton<Junipeer.Core.Operations.IBackfillSource, Junipeer.Core.Operations.ShipmentBackfillSource>();
        services.AddSingleton<Junipeer.Core.Operations.ConnectionStatusReader>();
        services.AddSingleton<Junipeer.Core.Operations.IConnectionStatusSource>(sp => sp.GetRequiredService<Junipeer.Core.Operations.ConnectionStatusReader>());
        services.AddSingleton<Junipeer.Core.Operations.OperationsService>();
        services.AddSingleton<Junipeer.Functions.Console.ConsoleAuth>();
        return builder;
    }

    /// <summary>
    /// Every store on Table Storage and queues, registered once: the engine (<see cref="AddJunipeer"/>) and the
    /// CLI's storage-only commands (status, retry, replay, events, shadow report) share it. Integrations are read
    /// straight from their table unless a caller registered another <see cref="IIntegrationStore"/> first.
    /// </summary>
    public static IServiceCollection AddJunipeerStorage(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<StorageClients>();
        services.AddSingleton<TableIntegrationStore>();
        services.TryAddSingleton<IIntegrationStore>(sp => sp.GetRequiredService<TableIntegrationStore>());
        services.AddSingleton<ISyncLedger, TableLedger>();
        services.AddSingleton<ICheckpointStore, TableCheckpointStore>();
        services.AddSingleton<IInbox, TableInbox>();
        services.AddSingleton<TableMappingStore>();
        services.AddSingleton<IMappingStore>(sp => sp.GetRequiredService<TableMappingStore>());
        services.AddSingleton<IMappingBulkStore>(sp => sp.GetRequiredService<TableMappingStore>());
        services.AddSingleton<IEventLog, TableEventLog>();
        services.AddSingleton<ITokenStore, TableTokenStore>();
        services.AddSingleton<Junipeer.Core.Connect.IOAuthStateStore, TableOAuthStateStore>();
        services.AddSingleton<Junipeer.Core.Connect.IConnectionStatusStore, TableConnectionStatusStore>();
        services.AddSingleton<QueueWorkQueue>();
        services.AddSingleton<IWorkQueue>(sp => sp.GetRequiredService<QueueWorkQueue>());
        // The webhook acknowledgements' one durable write, group-committed over whichever IWorkQueue is registered.
        services.AddSingleton<IWorkBatchQueue>(sp => sp.GetRequiredService<QueueWorkQueue>());
        services.AddSingleton<GroupCommitIntakeQueue>();
        services.AddSingleton<IIntakeQueue>(sp => sp.GetRequiredService<GroupCommitIntakeQueue>());
        services.AddSingleton<Junipeer.Core.Operations.IQueueInspector, QueueInspector>();
        services.AddSingleton<Junipeer.Core.Shadow.IShadowLog, TableShadowLog>();
        return services;
    }
}
