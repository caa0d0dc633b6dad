using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Junipeer.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Junipeer.Cli.LocalHost;

/// <summary>
/// Drives one queue-triggered function from storage the way the Functions queue extension does
/// (QueueListener + QueueProcessor): fetch up to <c>batchSize</c> messages, run them concurrently,
/// and fetch the next batch as soon as the number still running drops to <c>newBatchThreshold</c>
/// (default <c>batchSize / 2</c>), so at most batchSize + newBatchThreshold run at once. A received
/// message stays hidden for the message lease (10 minutes, as the host; setting
/// <c>LocalHost:MessageLeaseSeconds</c>) and the lease is renewed every half lease while the
/// function runs. Success deletes the message; failure makes it visible again after
/// <c>visibilityTimeout</c>; after <c>maxDequeueCount</c> deliveries the body goes to
/// <c>&lt;queue&gt;-poison</c>. Polling backs off up to <c>maxPollingInterval</c> when idle.
/// </summary>
public sealed class QueuePump(
    FunctionDescriptor function,
    StorageClients clients,
    QueueHostSettings settings,
    IServiceProvider services,
    TimeProvider time,
    ILogger<QueuePump> logger,
    IConfiguration? configuration = null) : BackgroundService
{
    public const string MessageLeaseKey = "LocalHost:MessageLeaseSeconds";

    /// <summary>How long a received message stays hidden while the function runs (renewed at half time).</summary>
    public TimeSpan MessageLease { get; } =
        int.TryParse(configuration?[MessageLeaseKey], System.Globalization.CultureInfo.InvariantCulture, out var s) && s > 0 ? TimeSpan.FromSeconds(s) : TimeSpan.FromMinutes(10);

    /// <summary>When the next batch is fetched: running count at or below this.</summary>
    public int NewBatchThreshold => settings.NewBatchThreshold ?? settings.BatchSize / 2;

    private long _processed;
    private int _inFlight;
    private int _maxInFlight;
    private long _fetches;
    private readonly SemaphoreSlim _finished = new(0);

    public long Processed => Interlocked.Read(ref _processed);

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Highest number of messages that ran at the same time.</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    /// <summary>Receive calls that returned at least one message.</summary>
    public long Fetches => Interlocked.Read(ref _fetches);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var encoding = settings.Base64 ? QueueMessageEncoding.Base64 : QueueMessageEncoding.None;
        var queue = clients.Queue(function.Target, encoding);
        var poison = function.Target.EndsWith("-poison", StringComparison.Ordinal) ? null : clients.Queue(function.Target + "-poison", encoding);
        var running = new List<Task>();
        try
        {
            await queue.CreateIfNotExistsAsync(cancellationToken: stoppingToken);
            var idle = TimeSpan.FromMilliseconds(100);
            while (!stoppingToken.IsCancellationRequested)
            {
                // Wait until the running count drops to the threshold (the host's newBatchThreshold).
                while (InFlight > NewBatchThreshold)
                {
                    await _finished.WaitAsync(stoppingToken);
                }

                running.RemoveAll(t => t.IsCompleted);
                QueueMessage[] batch;
                try
                {
                    batch = (await queue.ReceiveMessagesAsync(settings.BatchSize, MessageLease, stoppingToken)).Value;
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex)
                {
                    logger.LogWarning(ex, "Receiving from {Queue} failed", function.Target);
                    batch = [];
                }

                if (batch.Length == 0)
                {
                    // Idle: back off, but wake early when a running message finishes.
                    using var wake = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    var delay = Task.Delay(idle, time, wake.Token);
                    var finished = InFlight > 0 ? _finished.WaitAsync(wake.Token) : Task.Delay(Timeout.Infinite, wake.Token);
                    await Task.WhenAny(delay, finished);
                    await wake.CancelAsync();
                    stoppingToken.ThrowIfCancellationRequested();
                    idle = TimeSpan.FromTicks(Math.Min(idle.Ticks * 2, settings.MaxPollingInterval.Ticks));
                    continue;
                }

                Interlocked.Increment(ref _fetches);
                idle = TimeSpan.FromMilliseconds(100);
                foreach (var m in batch)
                {
                    var now = Interlocked.Increment(ref _inFlight);
                    InterlockedMax(ref _maxInFlight, now);
                    running.Add(RunOneAsync(queue, poison, m, stoppingToken));
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        // Shutdown: let the running functions see the cancellation and finish.
        await Task.WhenAll(running);
    }

    private async Task RunOneAsync(QueueClient queue, QueueClient? poison, QueueMessage message, CancellationToken ct)
    {
        try
        {
            await ProcessAsync(queue, poison, message, ct);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Settling message {MessageId} on {Queue} failed", message.MessageId, function.Target);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            _finished.Release();
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    private async Task ProcessAsync(QueueClient queue, QueueClient? poison, QueueMessage message, CancellationToken ct)
    {
        var receipt = new Receipt(message.PopReceipt);
        if (message.DequeueCount > settings.MaxDequeueCount && poison is not null)
        {
            await MoveToPoisonAsync(queue, poison, message, receipt, ct);
            return;
        }

        using var renewing = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var renewal = RenewAsync(queue, message, receipt, renewing.Token);
        try
        {
            await function.InvokeAsync(services, p =>
                p.ParameterType == typeof(string) ? message.MessageText :
                p.ParameterType == typeof(CancellationToken) ? ct :
                p.ParameterType == typeof(QueueMessage) ? message : null);
            await renewing.CancelAsync();
            await renewal;
            await queue.DeleteMessageAsync(message.MessageId, receipt.Value, CancellationToken.None);
            Interlocked.Increment(ref _processed);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            await renewing.CancelAsync();
            await renewal;
            logger.LogWarning(ex, "{Function} failed on delivery {DequeueCount} of message {MessageId}", function.Name, message.DequeueCount, message.MessageId);
            try
            {
                if (poison is not null && message.DequeueCount >= settings.MaxDequeueCount)
                {
                    await MoveToPoisonAsync(queue, poison, message, receipt, CancellationToken.None);
                }
                else
                {
                    await queue.UpdateMessageAsync(message.MessageId, receipt.Value, visibilityTimeout: settings.VisibilityTimeout, cancellationToken: CancellationToken.None);
                }
            }
            catch (Azure.RequestFailedException rf) when (rf.Status is 404 or 400)
            {
                // Pop receipt no longer valid: someone else owns the message now (as in the host).
            }
        }
        finally
        {
            await renewing.CancelAsync();
        }
    }

    /// <summary>Keeps the message hidden while the function runs, as the host's visibility timer does.</summary>
    private async Task RenewAsync(QueueClient queue, QueueMessage message, Receipt receipt, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                await Task.Delay(MessageLease / 2, time, ct);
                var updated = await queue.UpdateMessageAsync(message.MessageId, receipt.Value, visibilityTimeout: MessageLease, cancellationToken: ct);
                receipt.Value = updated.Value.PopReceipt;
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Azure.RequestFailedException ex)
        {
            logger.LogWarning(ex, "Renewing the lease of message {MessageId} failed", message.MessageId);
        }
    }

    private async Task MoveToPoisonAsync(QueueClient queue, QueueClient poison, QueueMessage message, Receipt receipt, CancellationToken ct)
    {
        await poison.CreateIfNotExistsAsync(cancellationToken: ct);
        await poison.SendMessageAsync(message.Body, cancellationToken: ct);
        await queue.DeleteMessageAsync(message.MessageId, receipt.Value, ct);
        logger.LogError("Message {MessageId} moved to {Queue}-poison after {DequeueCount} deliveries", message.MessageId, function.Target, message.DequeueCount);
    }

    public override void Dispose()
    {
        _finished.Dispose();
        base.Dispose();
    }

    private sealed class Receipt(string value)
    {
        private string _value = value;

        public string Value
        {
            get => Volatile.Read(ref _value);
            set => Volatile.Write(ref _value, value);
        }
    }
}
