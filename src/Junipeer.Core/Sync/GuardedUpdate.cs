using Junipeer.Core.Errors;

namespace Junipeer.Core.Sync;

/// <summary>What one guarded update did: whether it wrote, and how many 412 answers it re-read and re-applied.</summary>
public readonly record struct GuardedUpdateOutcome(bool Written, int Conflicts);

/// <summary>
/// The one read → change → PUT-with-If-Match loop every flow uses to update an existing ERP record (customers, articles):
/// read the record with its version, plan the change against what was just read (nothing to change: stop), send it guarded
/// by that version; a 412 (<c>ERP_VERSION_CONFLICT</c>) reads again and plans again on the new version, so a change someone
/// else saved meanwhile is kept instead of overwritten. After <c>maxConflicts</c> re-reads the conflict surfaces.
/// </summary>
public static class GuardedUpdate
{
    public static async Task<GuardedUpdateOutcome> RunAsync<TRecord>(
        Func<Task<TRecord>> read,
        Func<TRecord, Func<Task>?> plan,
        int maxConflicts,
        Action? onConflict = null)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(plan);
        var conflicts = 0;
        for (var attempt = 0; ; attempt++)
        {
            var current = await read();
            var write = plan(current);
            if (write is null)
                return new GuardedUpdateOutcome(false, conflicts);
            try
            {
                await write();
                return new GuardedUpdateOutcome(true, conflicts);
            }
            catch (JunipeerException ex) when (ex.Code == ErrorCodes.ErpVersionConflict && attempt < maxConflicts)
            {
                conflicts++;
                onConflict?.Invoke();
            }
        }
    }
}
