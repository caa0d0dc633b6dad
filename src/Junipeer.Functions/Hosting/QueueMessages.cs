using Junipeer.Core.Errors;
using Junipeer.Core.Sync;
using Junipeer.Storage;
using Microsoft.Extensions.Logging;

namespace Junipeer.Functions.Hosting;

/// <summary>
/// What every queue trigger does with its message body: read the work item, or log an unreadable body
/// with QUEUE_MESSAGE_INVALID and complete the message (retrying cannot fix a malformed body).
/// </summary>
public static class QueueMessages
{
    /// <summary>The work item, or null (logged) when the body is unreadable or, given <paramref name="kind"/>, of another kind.</summary>
    public static WorkItem? Read(string message, string queue, ILogger logger, string? kind = null)
    {
        var item = QueueWorkQueue.TryParse(message);
        if (item is not null && (kind is null || item.Kind == kind))
            return item;
        Unreadable(logger, queue, message);
        return null;
    }

    /// <summary>Logs an unreadable body (its first 500 characters) with its code and the queue it came from.</summary>
    public static void Unreadable(ILogger logger, string queue, string message) =>
        logger.LogError("{ErrorCode}: unreadable message on {Queue}: {Body}", ErrorCodes.QueueMessageInvalid, queue,
            message.Length > 500 ? message[..500] : message);
}
