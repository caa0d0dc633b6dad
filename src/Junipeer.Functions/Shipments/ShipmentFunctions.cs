using Junipeer.Connectors.VismaNet;
using Junipeer.Core.Errors;
using Junipeer.Core.Orders;
using Junipeer.Core.Shipments;
using Junipeer.Core.Sync;
using Junipeer.Functions.Orders;
using Junipeer.Functions.Webhooks;
using Junipeer.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Junipeer.Functions.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Junipeer.Functions.Shipments;

/// <summary>POST /api/webhooks/visma/{integrationId}: body limit, verify, validate, enqueue, 202 (see <see cref="VismaWebhookIntake"/>).</summary>
public sealed class VismaWebhookFunction(VismaWebhookIntake intake)
{
    [Function("VismaWebhook")]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "webhooks/visma/{integrationId}")] HttpRequest req,
        string integrationId,
        CancellationToken cancellationToken)
    {
        if (req.ContentLength > WebhookRequests.MaxBodyBytes)
            return TooLarge();
        var raw = await WebhookRequests.ReadAtMostAsync(req.Body, WebhookRequests.MaxBodyBytes, cancellationToken);
        if (raw is null)
            return TooLarge();
        var r = await intake.HandleAsync(integrationId, req.Headers[VismaWebhookVerifier.HeaderName].ToString(), raw, cancellationToken);
        return new ObjectResult(r.Body) { StatusCode = r.StatusCode };
    }

    private static ObjectResult TooLarge() =>
        new(new ErrorBody(ErrorCodes.WebhookBodyTooLarge, $"The body is larger than {WebhookRequests.MaxBodyBytes} bytes.")) { StatusCode = 413 };
}

/// <summary>Queue "shipments": one message per ERP shipment → carrier booking, shop shipment, capture, tracking.</summary>
public sealed class ShipmentSyncFunction(ShipmentSyncHandler handler, ILogger<ShipmentSyncFunction> logger)
{
    [Function("ShipmentSync")]
    public async Task Run([QueueTrigger(StorageNames.ShipmentsQueue)] string message, CancellationToken cancellationToken)
    {
        var item = QueueMessages.Read(message, StorageNames.ShipmentsQueue, logger);
        if (item is null)
            return;

        await handler.HandleAsync(item, Guid.NewGuid().ToString("N"), cancellationToken);
    }
}

/// <summary>Queue "shipments-poison": retries exhausted → ledger Failed + operator event.</summary>
public sealed class ShipmentPoisonFunction(PoisonHandler handler, ILogger<ShipmentPoisonFunction> logger)
{
    [Function("ShipmentPoison")]
    public async Task Run([QueueTrigger(StorageNames.ShipmentsPoisonQueue)] string message, CancellationToken cancellationToken)
    {
        var item = QueueMessages.Read(message, StorageNames.ShipmentsPoisonQueue, logger);
        if (item is null)
            return;

        await handler.HandleAsync(item, Flows.Shipments, cancellationToken);
    }
}

/// <summary>Timer: the fallback that catches shipments whose Visma signal never came.</summary>
public sealed class ShipmentSweepFunction(ShipmentSweepHandler handler)
{
    public const string ScheduleSetting = "ShipmentSweepSchedule";

    [Function("ShipmentSweep")]
    public async Task Run([TimerTrigger("%" + ScheduleSetting + "%")] TimerInfo timer, CancellationToken cancellationToken) =>
        await handler.RunAsync(cancellationToken);
}
