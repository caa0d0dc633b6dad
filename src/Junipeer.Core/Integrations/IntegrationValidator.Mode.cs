using System.Globalization;
using Junipeer.Core.Errors;

namespace Junipeer.Core.Integrations;

/// <summary>Checks of <see cref="Integration.Mode"/> and <see cref="Integration.CutOverDate"/>.</summary>
public static partial class IntegrationValidator
{
    /// <summary>
    /// Shadow mode covers every flow: each has a read-only shadow path (Core/Shadow): orders, payouts with refunds and
    /// credit notes, customers both ways, stock, shipments (no nShift booking, no Centra shipment or capture, no
    /// tracking write-back) and products both ways (IntegrationValidator.Products). Only the mode itself is checked here.
    /// </summary>
    private static void ModeProblems(Integration i, List<string> p)
    {
        if (!Enum.IsDefined(i.Mode))
        {
            p.Add($"Mode '{i.Mode}' must be Live or Shadow.");
        }
    }

    /// <summary>
    /// Switching an integration from Shadow to Live needs <see cref="Integration.CutOverDate"/>: orders
    /// before it were only shadowed and are not booked. Throws SHADOW_CUTOVER_REQUIRED.
    /// </summary>
    public static void EnsureModeSwitch(Integration candidate, Integration? before)
    {
        if (before?.Mode == IntegrationMode.Shadow && candidate.Mode == IntegrationMode.Live && candidate.CutOverDate is null)
        {
            throw new JunipeerException(ErrorCodes.ShadowCutOverRequired,
                $"Integration '{candidate.Id}' switches from Shadow to Live without CutOverDate: set \"cutOverDate\" (e.g. \"{DateTimeOffset.UtcNow.Date.AddDays(1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}\"); orders placed before it are not booked.");
        }
    }
}
