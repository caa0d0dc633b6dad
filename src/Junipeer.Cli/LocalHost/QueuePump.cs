using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Junipeer.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Junipeer.Cli.LocalHost;

/// <summary>
/// Drives one queue-triggered function from Azurite the way the Functions queue extension does
/// (QueueProcessor): batches of <c>batchSize</c>, delete on success, on failure make the message
/// visible again after <c>visibilityTimeout</c>, after <c>maxDequeueCount</c> deliveries copy the
/// body to <c>&lt;queue&gt;-poison</c>; polling backs off up to <c>maxPollingInterval</c> when idle.
/// Simplification: a batch is finished before the next is fetched (newBatchThreshold is not used).
/// </summary>
public sealed class QueuePump(
    FunctionDescriptor function,
    StorageClients clients,
    QueueHostSettings settings,
    IServiceProvider services,
    TimeProvider time,
    ILogger<QueuePump> logger) : BackgroundService
{
    /// <summary>How long a received message stays hidden while the function runs.</summary>
    public static readonly TimeSpan ProcessingLease = TimeSpan.FromMinutes(5);

    private long _processed;

    public long Processed => Interlocked.Read(ref _processed);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var encoding = settings.Base64 ? QueueMessageEncoding.Base64 : QueueMessageEncoding.None;
        var queue = clients.Queue(function.Target, encoding);
        var poison = function.Target.EndsWith("-poison", StringComparison.Ordinal) ? null : clients.Queue(function.Target + "-poison", encoding);
        await queue.CreateIfNotExistsAsync(cancellationToken: stoppingToken);
        var idle = TimeSpan.FromMilliseconds(100);
        while (!stoppingToken.IsCancellationRequested)
        {
            QueueMessage[] batch;
            try
            {
                batch = (await queue.ReceiveMessagesAsync(settings.BatchSize, ProcessingLease, stoppingToken)).Value;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Receiving from {Queue} failed", function.Target);
                batch = [];
            }

            if (batch.Length == 0)
            {
                try
                {
                    await Task.Delay(idle, time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                idle = TimeSpan.FromTicks(Math.Min(idle.Ticks * 2, settings.MaxPollingInterval.Ticks));
                continue;
            }

            idle = TimeSpan.FromMilliseconds(100);
            await Task.WhenAll(batch.Select(m => ProcessAsync(queue, poison, m, stoppingToken)));
        }
    }

    private async Task ProcessAsync(QueueClient queue, QueueClient? poison, QueueMessage message, CancellationToken ct)
    {
        if (message.DequeueCount > settings.MaxDequeueCount && poison is not null)
        {
            await MoveToPoisonAsync(queue, poison, message, ct);
            return;
        }

        try
        {
            await function.InvokeAsync(services, p =>
                p.ParameterType == typeof(string) ? message.MessageText :
                p.ParameterType == typeof(CancellationToken) ? ct :
                p.ParameterType == typeof(QueueMessage) ? message : null);
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None);
            Interlocked.Increment(ref _processed);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning(ex, "{Function} failed on delivery {DequeueCount} of message {MessageId}", function.Name, message.DequeueCount, message.MessageId);
            try
            {
                if (poison is not null && message.DequeueCount >= settings.MaxDequeueCount)
                {
                    await MoveToPoisonAsync(queue, poison, message, CancellationToken.None);
                }
                else
                {
                    await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: settings.VisibilityTimeout, cancellationToken: CancellationToken.None);
                }
            }
            catch (Azure.RequestFailedException rf) when (rf.Status is 404 or 400)
            {
                // Pop receipt no longer valid: someone else owns the message now (as in the host).
            }
        }
    }

    private async Task MoveToPoisonAsync(QueueClient queue, QueueClient poison, QueueMessage message, CancellationToken ct)
    {
        await poison.CreateIfNotExistsAsync(cancellationToken: ct);
        await poison.SendMessageAsync(message.Body, cancellationToken: ct);
        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, ct);
        logger.LogError("Message {MessageId} moved to {Queue}-poison after {DequeueCount} deliveries", message.MessageId, function.Target, message.DequeueCount);
    }
}
