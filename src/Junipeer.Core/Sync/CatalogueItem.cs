using Junipeer.Core.Errors;
using Microsoft.Extensions.Logging;

namespace Junipeer.Core.Sync;

/// <summary>
/// One item of a catalogue run (customers, products both ways): whatever happens to it, the run goes on. A row
/// another run holds or took over is that run's business (not an error); a <see cref="JunipeerException"/> is this
/// item's failure, recorded by the flow. Either way the item is taken again by a later run, so the run's checkpoint
/// must not pass it.
/// </summary>
public static class CatalogueItem
{
    /// <summary>Runs <paramref name="sync"/>; true when the item is done, false when a later run must take it again.</summary>
    public static async Task<bool> RunAsync(Func<Task> sync, string item, ILogger logger, Func<JunipeerException, Task> failed)
    {
        ArgumentNullException.ThrowIfNull(sync);
        ArgumentNullException.ThrowIfNull(failed);
        try
        {
            await sync();
            return true;
        }
        catch (Exception ex) when (ex is LeaseHeldException or LeaseLostException)
        {
            logger.LogInformation("{Item} is being synced by another run; a later run takes it", item);
            return false;
        }
        catch (JunipeerException ex)
        {
            await failed(ex);
            return false;
        }
    }

    /// <summary>The earlier of a checkpoint candidate and an item's timestamp (null = none yet).</summary>
    public static DateTimeOffset? Earliest(DateTimeOffset? current, DateTimeOffset? at) =>
        at is not { } a ? current : current is { } c && c <= a ? c : a;
}
