using Junipeer.Core.Customers;
using Microsoft.Azure.Functions.Worker;

namespace Junipeer.Functions.Customers;

/// <summary>Timer: customers both ways (Centra ⇄ Visma.net) for every integration with Customers.Enabled.</summary>
public sealed class CustomerSyncFunction(CustomerSyncHandler handler)
{
    public const string ScheduleSetting = "CustomerSyncSchedule";

    [Function("CustomerSync")]
    public async Task Run([TimerTrigger("%" + ScheduleSetting + "%")] TimerInfo timer, CancellationToken cancellationToken) =>
        await handler.RunAsync(cancellationToken);
}
